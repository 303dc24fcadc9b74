// normscope: the window, or a headless command (see `normscope --help`).
#include <QApplication>
#include <QFileInfo>
#include <QIcon>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "app/cli.h"
#include "engine/config.h"
#include "ui/mainwindow.h"
#include "ui/render.h"
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

// normscope render DIR --out DIR2 [--format png,svg,pdf] [--scale S]
int render_command(int argc, char** argv) {
    QString dir, out, formats = "png,svg,pdf";
    double scale = 2.0;
    for (int i = 2; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        auto value = [&]() -> QString {
            if (i + 1 >= argc) return QString();
            return QString::fromLocal8Bit(argv[++i]);
        };
        if (a == "--out") out = value();
        else if (a == "--format") formats = value();
        else if (a == "--scale") {
            bool ok = false;
            scale = value().toDouble(&ok);
            if (!ok || scale < 0.25 || scale > 8) {
                std::fprintf(stderr, "normscope render: --scale needs a number from 0.25 to 8\n");
                return 2;
            }
        } else if (a.startsWith('-')) {
            std::fprintf(stderr, "normscope render: unknown option %s\nTry 'normscope --help'.\n", qPrintable(a));
            return 2;
        } else if (dir.isEmpty()) dir = a;
        else {
            std::fprintf(stderr, "normscope render: unexpected argument '%s'\n", qPrintable(a));
            return 2;
        }
    }
    if (dir.isEmpty() || out.isEmpty()) {
        std::fprintf(stderr, "normscope render: needs a result folder and --out DIR2\nTry 'normscope --help'.\n");
        return 2;
    }
    QList<nsui::ImageFormat> list;
    for (const QString& f : formats.split(',', Qt::SkipEmptyParts)) {
        nsui::ImageFormat fmt;
        if (!nsui::formatFromSuffix("x." + f.trimmed(), &fmt)) {
            std::fprintf(stderr, "normscope render: --format: '%s' is not one of png, svg, pdf\n", qPrintable(f));
            return 2;
        }
        list << fmt;
    }
    if (list.isEmpty()) {
        std::fprintf(stderr, "normscope render: --format: name at least one of png, svg, pdf\n");
        return 2;
    }
    if (!have_display()) qputenv("QT_QPA_PLATFORM", "offscreen");
    // The offscreen platform warns about window hints it cannot honour; nothing to act on here.
    qputenv("QT_LOGGING_RULES", "qt.qpa.*=false");
    static QtMessageHandler previous = nullptr;
    previous = qInstallMessageHandler([](QtMsgType t, const QMessageLogContext& c, const QString& m) {
        if (m.contains("propagateSizeHints")) return;
        if (previous) previous(t, c, m);
    });
    QApplication app(argc, argv);
    try {
        const QStringList files = nsui::renderResults(dir, out, list, scale);
        for (const QString& f : files) std::printf("%s\n", qPrintable(f));
        return 0;
    } catch (const ns::ConfigError& e) {
        std::fprintf(stderr, "normscope render: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "normscope render: %s\n", e.what());
        return 2;
    }
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
    if (argc >= 2 && std::strcmp(argv[1], "render") == 0) return render_command(argc, argv);
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
    QApplication::setWindowIcon(QIcon(":/icons/normscope.svg"));
    QApplication::setDesktopFileName("normscope");
    const QStringList args = QApplication::arguments();
    nsui::MainWindow w(args.size() > 1 ? ns::default_experiment() : startup_experiment());
    w.show();
    if (args.size() > 1) w.openFile(args.at(1));
    return app.exec();
}
