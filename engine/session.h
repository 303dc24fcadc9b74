// Work in progress, registered so that a crash or a kill loses at most the last few seconds.
//
// Every training session (the window's, or a headless `normscope train`) keeps a record in
// STATE/sessions/<id>.json naming the folder where its results are saved (an experiment.json and
// one folder of CSV files per run, as `train` writes them), and holds an exclusive lock on
// STATE/sessions/<id>.lock for as long as its process lives. A session that ends cleanly removes
// both. A record whose lock nobody holds belongs to a process that died: the window offers to
// restore it on its next start.
//
// STATE is $NORMSCOPE_STATE_DIR, else $XDG_STATE_HOME/normscope, else ~/.local/state/normscope.
#pragma once

#include <string>
#include <vector>

namespace ns {

std::string state_dir();

struct SessionRecord {
    std::string id;
    std::string kind;             // "window" or "train"
    std::string results_dir;      // read_results() reads it
    std::string experiment_file;  // where the experiment came from ("" for the built-in one)
    std::string experiment_name;  // the runs, for the message: "Post-LN, Pre-LN"
    long saved_step = 0;          // the last step saved
    long total_steps = 0;
    std::string saved_at;         // local time of the last save, "2026-11-23 15:02:11"
    int pid = 0;
};

class Session {
public:
    // Registers a session (an empty results_dir means autosave_dir(id)). Never throws: when the state folder cannot be written the session
    // is not registered, and error() says why (training goes on regardless).
    Session(std::string kind, std::string results_dir, std::string experiment_file, std::string experiment_name);
    ~Session();  // a clean end: removes the record
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    bool registered() const { return lock_fd_ >= 0; }
    const std::string& error() const { return error_; }
    const SessionRecord& record() const { return rec_; }
    // After each save of the results: the step saved and the time.
    void saved(long step, long total_steps);
    // For tests: let go of the lock and keep the record, as a killed process would.
    void abandon();

private:
    void write_record();
    SessionRecord rec_;
    std::string record_path_, lock_path_, error_;
    int lock_fd_ = -1;
};

// Records left by processes that died, newest first. Records that cannot be read are skipped.
std::vector<SessionRecord> orphaned_sessions();
// Forgets a record: removes it, and for a window session also its autosave folder (a headless
// run's --out folder belongs to the user and is kept).
void forget_session(const SessionRecord& r);
// Where a window session saves its results: STATE/autosave/<id>.
std::string autosave_dir(const std::string& session_id);

}  // namespace ns
