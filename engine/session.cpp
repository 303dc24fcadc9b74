#include "engine/session.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/report.h"

namespace ns {

namespace fs = std::filesystem;

std::string state_dir() {
    if (const char* d = std::getenv("NORMSCOPE_STATE_DIR"); d && *d) return d;
    if (const char* d = std::getenv("XDG_STATE_HOME"); d && *d) return (fs::path(d) / "normscope").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : "/tmp") / ".local" / "state" / "normscope").string();
}

std::string autosave_dir(const std::string& session_id) {
    return (fs::path(state_dir()) / "autosave" / session_id).string();
}

namespace {

std::string local_time_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string new_id() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    std::random_device rd;
    return std::to_string(ms) + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 10000);
}

nlohmann::json to_json(const SessionRecord& r) {
    return {{"format", "normscope-session"},  {"id", r.id},
            {"kind", r.kind},                 {"results_dir", r.results_dir},
            {"experiment_file", r.experiment_file}, {"experiment_name", r.experiment_name},
            {"saved_step", r.saved_step},     {"total_steps", r.total_steps},
            {"saved_at", r.saved_at},         {"pid", r.pid}};
}

bool from_json(const nlohmann::json& j, SessionRecord* r) {
    if (!j.is_object() || j.value("format", "") != "normscope-session") return false;
    try {
        r->id = j.at("id").get<std::string>();
        r->kind = j.at("kind").get<std::string>();
        r->results_dir = j.at("results_dir").get<std::string>();
        r->experiment_file = j.value("experiment_file", "");
        r->experiment_name = j.value("experiment_name", "");
        r->saved_step = j.value("saved_step", 0L);
        r->total_steps = j.value("total_steps", 0L);
        r->saved_at = j.value("saved_at", "");
        r->pid = j.value("pid", 0);
    } catch (const nlohmann::json::exception&) {
        return false;
    }
    return r->kind == "window" || r->kind == "train";
}

}  // namespace

Session::Session(std::string kind, std::string results_dir, std::string experiment_file,
                 std::string experiment_name) {
    rec_.id = new_id();
    rec_.kind = std::move(kind);
    std::error_code ec;
    if (results_dir.empty()) results_dir = autosave_dir(rec_.id);
    const fs::path abs = fs::absolute(results_dir, ec);
    rec_.results_dir = ec ? results_dir : abs.lexically_normal().string();
    if (!experiment_file.empty()) {
        const fs::path f = fs::absolute(experiment_file, ec);
        rec_.experiment_file = ec ? experiment_file : f.lexically_normal().string();
    }
    rec_.experiment_name = std::move(experiment_name);
    rec_.pid = static_cast<int>(::getpid());
    rec_.saved_at = local_time_now();
    const fs::path dir = fs::path(state_dir()) / "sessions";
    fs::create_directories(dir, ec);
    if (ec) {
        error_ = "cannot create '" + dir.string() + "': " + ec.message();
        return;
    }
    record_path_ = (dir / (rec_.id + ".json")).string();
    lock_path_ = (dir / (rec_.id + ".lock")).string();
    lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        if (lock_fd_ >= 0) ::close(lock_fd_);
        lock_fd_ = -1;
        error_ = "cannot lock '" + lock_path_ + "'";
        return;
    }
    try {
        write_record();
    } catch (const std::exception& e) {
        error_ = e.what();
        ::close(lock_fd_);
        lock_fd_ = -1;
        fs::remove(lock_path_, ec);
    }
}

Session::~Session() {
    if (lock_fd_ < 0) return;
    std::error_code ec;
    fs::remove(record_path_, ec);
    fs::remove(lock_path_, ec);
    ::close(lock_fd_);
}

void Session::write_record() { write_file_atomic(record_path_, to_json(rec_).dump(2) + "\n"); }

void Session::saved(long step, long total_steps) {
    if (lock_fd_ < 0) return;
    rec_.saved_step = step;
    rec_.total_steps = total_steps;
    rec_.saved_at = local_time_now();
    try {
        write_record();
    } catch (const std::exception& e) {
        error_ = e.what();
    }
}

void Session::abandon() {
    if (lock_fd_ < 0) return;
    ::close(lock_fd_);
    lock_fd_ = -1;
}

std::vector<SessionRecord> orphaned_sessions() {
    std::vector<SessionRecord> out;
    const fs::path dir = fs::path(state_dir()) / "sessions";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const fs::path p = entry.path();
        if (p.extension() != ".json") continue;
        const fs::path lock = fs::path(p).replace_extension(".lock");
        const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
        if (fd >= 0) {  // no lock file at all: nobody can hold it
            const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
            ::close(fd);  // closing releases the lock again
            if (!free) continue;  // its process is alive
        }
        std::ifstream in(p);
        const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
        SessionRecord r;
        if (j.is_discarded() || !from_json(j, &r)) continue;
        if (!fs::exists(fs::path(r.results_dir) / "experiment.json", ec)) continue;  // nothing to restore
        out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const SessionRecord& a, const SessionRecord& b) {
        return a.saved_at != b.saved_at ? a.saved_at > b.saved_at : a.id > b.id;
    });
    return out;
}

void forget_session(const SessionRecord& r) {
    const fs::path dir = fs::path(state_dir()) / "sessions";
    std::error_code ec;
    fs::remove(dir / (r.id + ".json"), ec);
    fs::remove(dir / (r.id + ".lock"), ec);
    if (r.kind == "window") {
        const fs::path mine = fs::path(autosave_dir(r.id)).lexically_normal();
        if (fs::path(r.results_dir).lexically_normal() == mine) fs::remove_all(mine, ec);
    }
}

}  // namespace ns
