// Running the real `normscope` program from a test, and reading what it wrote.
#pragma once

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QThread>

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

// The saved step of the one session record in STATE/sessions (-1 if none).
inline long saved_step_in(const QString& state) {
    const QDir dir(state + "/sessions");
    const QStringList records = dir.entryList({"*.json"}, QDir::Files);
    if (records.size() != 1) return -1;
    const QJsonObject o = QJsonDocument::fromJson(read_all(dir.filePath(records.first()))).object();
    return o.value("saved_step").toInteger(-1);
}

// `normscope train` killed with SIGKILL a few seconds after its first timed checkpoint.
struct KilledTrain {
    bool ok = false;
    QString why;            // when !ok
    long printed_step = 0;  // the last step its progress line showed
    double rate = 0;        // steps per second on that line
    double since_print_s = 0;  // from that line to the kill
    long saved_step = 0;    // what the record says was saved
    double lost_seconds = 0;   // (steps done at the kill - saved) / rate
};

inline KilledTrain train_then_kill(const QString& state, const QString& experiment, const QString& out) {
    KilledTrain k;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("NORMSCOPE_STATE_DIR", state);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(NS_NORMSCOPE_BIN),
            {"train", experiment, "--out", out, "--threads", "1", "--steps", "1000000"});
    if (!p.waitForStarted()) {
        k.why = "normscope did not start";
        return k;
    }
    const QRegularExpression line(R"(step\s+(\d+)/\d+.*?([\d.]+) steps/s)");
    QElapsedTimer clock, sincePrint;
    clock.start();
    qint64 firstSave = -1;
    QByteArray pending;
    while (clock.elapsed() < 120000) {
        p.waitForReadyRead(100);
        pending += p.readAllStandardError();
        int nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const auto m = line.match(QString::fromUtf8(pending.left(nl)));
            pending.remove(0, nl + 1);
            if (m.hasMatch()) {
                k.printed_step = m.captured(1).toLong();
                k.rate = m.captured(2).toDouble();
                sincePrint.start();
            }
        }
        if (p.state() != QProcess::Running) {
            k.why = "normscope stopped early: " + QString::fromUtf8(pending);
            return k;
        }
        if (firstSave < 0 && saved_step_in(state) > 0) firstSave = clock.elapsed();
        if (firstSave >= 0 && clock.elapsed() - firstSave > 2500 && k.rate > 0) break;
    }
    if (firstSave < 0 || k.rate <= 0) {
        k.why = "no checkpoint within two minutes";
        p.kill();
        p.waitForFinished();
        return k;
    }
    k.since_print_s = sincePrint.elapsed() / 1000.0;
    p.kill();  // SIGKILL
    p.waitForFinished();
    k.saved_step = saved_step_in(state);
    const double done = k.printed_step + k.rate * k.since_print_s;
    k.lost_seconds = (done - k.saved_step) / k.rate;
    k.ok = p.exitStatus() == QProcess::CrashExit;
    if (!k.ok) k.why = "the process was not killed";
    return k;
}

}  // namespace nstest
