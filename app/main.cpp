// normscope: the window, or a headless command (see `normscope --help`).
#include <QApplication>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "app/cli.h"
#include "engine/config.h"
#include "ui/mainwindow.h"
#include "ui/settings.h"

namespace {

bool have_display() {
    auto set = [](const char* v) { const char* s = std::getenv(v); return s && *s; };
    return set("DISPLAY") || set("WAYLAND_DISPLAY") || set("QT_QPA_PLATFORM");
}

// The experiment the window opens with when no file is named: the last one, else the built-in.
ns::Experiment startup_experiment() {
    const QString last = nsui::settings::lastExperimentJson.get();
    if (!last.isEmpty()) {
        try {
            const QString path = nsui::settings::lastExperimentPath.get();
            return ns::parse_experiment_text(last.toStdString(),
                                             path.isEmpty() ? std::string() : QFileInfo(path).absolutePath().toStdString());
        } catch (const std::exception&) {
        }
    }
    return ns::default_experiment();
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            nscli::print_help();
            return 0;
        }
        if (std::strcmp(argv[i], "--version") == 0) {
            nscli::print_version();
            return 0;
        }
    }
    if (nscli::is_command(argc, argv)) return nscli::run_command(argc, argv);
    if (const int refused = nscli::check_window_arguments(argc, argv)) return refused;
    if (!have_display()) {
        std::fprintf(stderr,
                     "normscope: there is no display to open the window on.\n"
                     "Train headless instead: normscope train EXPERIMENT.json --out DIR (see normscope --help).\n");
        return 1;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName("NormScope");
    QApplication::setOrganizationName("NormScope");
    QApplication::setApplicationVersion(NORMSCOPE_VERSION);
    const QStringList args = QApplication::arguments();
    nsui::MainWindow w(args.size() > 1 ? ns::default_experiment() : startup_experiment());
    w.show();
    if (args.size() > 1) w.openFile(args.at(1));
    return app.exec();
}
