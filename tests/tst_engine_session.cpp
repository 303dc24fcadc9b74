// Nothing lost: the session journal (a record and a lock per session in progress, orphans found
// after a crash) and the run writer's atomic checkpoints.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/results.h"
#include "engine/run_writer.h"
#include "engine/session.h"

using namespace ns;
namespace fs = std::filesystem;

namespace {

Experiment small_experiment(int steps) {
    Experiment e = default_experiment();
    e.model.layers = 2;
    e.model.d_model = 16;
    e.model.heads = 2;
    e.model.d_ff = 32;
    e.model.vocab = 10;
    e.model.max_len = 8;
    e.train.seq_len = 8;
    e.train.batch = 8;
    e.train.steps = steps;
    e.train.eval_every = 5;
    e.train.probe_every = 5;
    return parse_experiment(to_json(e));
}

std::size_t lines_in(const std::string& path) {
    std::ifstream in(path);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

}  // namespace

class SessionTest : public QObject {
    Q_OBJECT
private slots:
    void init();
    void liveSessionIsNotOrphaned();
    void cleanEndLeavesNothing();
    void abandonedSessionIsOfferedThenForgotten();
    void windowSessionForgetsItsAutosave();
    void unreadableRecordsAreSkipped();
    void unwritableStateDirDoesNotStopTraining();
    void writerCheckpointsWholeFiles();

private:
    QTemporaryDir state_;
};

void SessionTest::init() {
    QVERIFY(state_.isValid());
    fs::remove_all(state_.path().toStdString() + "/sessions");
    fs::remove_all(state_.path().toStdString() + "/autosave");
    qputenv("NORMSCOPE_STATE_DIR", state_.path().toUtf8());
}

void SessionTest::liveSessionIsNotOrphaned() {
    QTemporaryDir out;
    RunWriter w(small_experiment(3), out.path().toStdString());
    Session s("train", out.path().toStdString(), "exp.json", "A, B");
    QVERIFY2(s.registered(), s.error().c_str());
    QVERIFY(orphaned_sessions().empty());  // its lock is held
    QVERIFY(fs::exists(state_.path().toStdString() + "/sessions/" + s.record().id + ".json"));
}

void SessionTest::cleanEndLeavesNothing() {
    QTemporaryDir out;
    RunWriter w(small_experiment(3), out.path().toStdString());
    { Session s("train", out.path().toStdString(), "", "A"); }
    QVERIFY(orphaned_sessions().empty());
    QVERIFY(fs::is_empty(state_.path().toStdString() + "/sessions"));
}

void SessionTest::abandonedSessionIsOfferedThenForgotten() {
    QTemporaryDir out;
    RunWriter w(small_experiment(3), out.path().toStdString());
    std::string id;
    {
        Session s("train", out.path().toStdString(), "exp.json", "Post-LN, Pre-LN");
        s.saved(120, 400);
        id = s.record().id;
        s.abandon();  // as if killed: lock released, record kept
    }
    const auto orphans = orphaned_sessions();
    QCOMPARE(int(orphans.size()), 1);
    const SessionRecord& r = orphans[0];
    QCOMPARE(r.id, id);
    QCOMPARE(r.kind, std::string("train"));
    QCOMPARE(r.saved_step, 120L);
    QCOMPARE(r.total_steps, 400L);
    QCOMPARE(r.experiment_name, std::string("Post-LN, Pre-LN"));
    QCOMPARE(fs::path(r.results_dir), fs::absolute(out.path().toStdString()).lexically_normal());
    forget_session(r);
    QVERIFY(orphaned_sessions().empty());
    QVERIFY2(fs::exists(out.path().toStdString() + "/experiment.json"), "a headless run's folder is the user's");
}

void SessionTest::windowSessionForgetsItsAutosave() {
    std::string dir;
    {
        Session s("window", "", "", "A");
        dir = s.record().results_dir;
        QCOMPARE(fs::path(dir), fs::path(autosave_dir(s.record().id)).lexically_normal());
        RunWriter w(small_experiment(3), dir);
        s.saved(0, 3);
        s.abandon();
    }
    const auto orphans = orphaned_sessions();
    QCOMPARE(int(orphans.size()), 1);
    forget_session(orphans[0]);
    QVERIFY(!fs::exists(dir));
}

void SessionTest::unreadableRecordsAreSkipped() {
    const std::string dir = state_.path().toStdString() + "/sessions";
    fs::create_directories(dir);
    std::ofstream(dir + "/garbage.json") << "{ not json";
    std::ofstream(dir + "/other.json") << R"({"format": "something-else"})";
    std::ofstream(dir + "/noresults.json")
        << R"({"format": "normscope-session", "id": "noresults", "kind": "train", "results_dir": "/nonexistent/x"})";
    QVERIFY(orphaned_sessions().empty());
}

void SessionTest::unwritableStateDirDoesNotStopTraining() {
    const std::string file = state_.path().toStdString() + "/a-file";
    std::ofstream(file) << "x";
    qputenv("NORMSCOPE_STATE_DIR", QByteArray::fromStdString(file + "/below"));
    Session s("train", "/tmp", "", "A");
    QVERIFY(!s.registered());
    QVERIFY(!s.error().empty());
    qInfo("%s", s.error().c_str());
    s.saved(1, 2);  // harmless
}

// Files appear whole: the headers at once, rows only at a checkpoint, and never a partial row.
void SessionTest::writerCheckpointsWholeFiles() {
    QTemporaryDir out;
    const Experiment e = small_experiment(12);
    Trainer t(e, 1);
    RunWriter w(e, out.path().toStdString(), 3600.0);  // no timed checkpoint in this test
    t.set_sink(&w);
    const std::string metrics = w.run_dir(0) + "/metrics.csv";
    QCOMPARE(lines_in(metrics), std::size_t(1));  // the header
    for (int i = 0; i < 5; ++i) t.step();
    QCOMPARE(lines_in(metrics), std::size_t(1));  // rows wait for the checkpoint
    w.checkpoint();
    QCOMPARE(lines_in(metrics), std::size_t(6));
    const Results mid = read_results(out.path().toStdString());
    QCOMPARE(long(mid.runs[0].metrics.size()), 5L);
    QCOMPARE(long(mid.runs[1].metrics.size()), 5L);
    QCOMPARE(int(mid.runs[0].probes.size()), 1);  // step 0
    t.run();
    w.finish(t);
    QCOMPARE(lines_in(metrics), std::size_t(13));
    QVERIFY(fs::exists(w.run_dir(1) + "/weights.safetensors"));
    for (const auto& entry : fs::recursive_directory_iterator(out.path().toStdString()))
        QVERIFY2(entry.path().filename().string().find(".tmp-") == std::string::npos, "a temporary file was left");
    // A timed checkpoint: interval 0 saves after every step.
    QTemporaryDir out2;
    Trainer t2(e, 1);
    RunWriter w2(e, out2.path().toStdString(), 0.0);
    t2.set_sink(&w2);
    t2.step();
    t2.step();
    QCOMPARE(lines_in(w2.run_dir(0) + "/metrics.csv"), std::size_t(3));
}

QTEST_APPLESS_MAIN(SessionTest)
#include "tst_engine_session.moc"
