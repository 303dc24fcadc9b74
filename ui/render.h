// `normscope render DIR --out DIR2 --format png,svg,pdf`: the charts of a `train` or `probe`
// result, drawn without a display.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "ui/chartexport.h"

namespace nsui {

// Reads DIR (throws ns::ConfigError or std::runtime_error naming the file), draws every chart
// for every format into DIR2 and returns the files written. Needs a QApplication.
QStringList renderResults(const QString& dir, const QString& out, const QList<ImageFormat>& formats, double pngScale);

// The snapshot a result folder holds.
SnapshotPtr snapshotFromResults(const QString& dir, ns::Experiment* experiment);

}  // namespace nsui
