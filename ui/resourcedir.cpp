#include "ui/resourcedir.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace nsui {

QString resourcesDir() {
    const QString env = qEnvironmentVariable("NORMSCOPE_RESOURCES");
    if (!env.isEmpty() && QFileInfo(env).isDir()) return env;
    const QString installed = QDir(QCoreApplication::applicationDirPath()).absoluteFilePath("../share/normscope");
    if (QFileInfo(installed + "/experiments").isDir()) return QDir::cleanPath(installed);
    return QStringLiteral(NS_SOURCE_RESOURCES);
}

QString resourcePath(const QString& relative) { return QDir(resourcesDir()).filePath(relative); }

}  // namespace nsui
