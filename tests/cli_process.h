// Running the real `normscope` program from a test, and reading what it wrote.
#pragma once

#include <QFile>
#include <QProcess>
#include <QStringList>

namespace nstest {

struct Result {
    int exit_code = -1;  // -1: crashed or timed out
    QString out, err;
};

inline Result run_normscope(const QStringList& args, int timeout_ms = 300000) {
    QProcess p;
    p.start(QStringLiteral(NS_NORMSCOPE_BIN), args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

inline QByteArray read_all(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The lines of a text file, without the empty one after the final newline.
inline QStringList lines_of(const QString& path) {
    QStringList l = QString::fromUtf8(read_all(path)).split('\n');
    if (!l.isEmpty() && l.last().isEmpty()) l.removeLast();
    return l;
}

}  // namespace nstest
