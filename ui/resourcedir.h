// Where the built-in experiments, lessons and text live: next to an installed program
// (<prefix>/share/normscope), else in the source tree the program was built from.
#pragma once

#include <QString>

namespace nsui {

QString resourcesDir();
QString resourcePath(const QString& relative);  // e.g. "experiments/postln_vs_preln.json"

}  // namespace nsui
