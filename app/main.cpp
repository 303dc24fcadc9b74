// normscope: the window, or a headless command (see `normscope --help`).
#include <QApplication>
#include <QMessageBox>

#include <cstring>
#include <exception>

#include "app/cli.h"
#include "engine/config.h"
#include "ui/mainwindow.h"

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

    QApplication app(argc, argv);
    QApplication::setApplicationName("NormScope");
    QApplication::setOrganizationName("NormScope");
    QApplication::setApplicationVersion(NORMSCOPE_VERSION);
    ns::Experiment experiment = ns::default_experiment();
    const QStringList args = QApplication::arguments();
    if (args.size() > 1) {
        try {
            experiment = ns::load_experiment_file(args.at(1).toStdString());
        } catch (const std::exception& e) {
            QMessageBox::warning(nullptr, QObject::tr("NormScope"),
                                 QObject::tr("The experiment could not be opened; showing the built-in one.\n\n%1")
                                     .arg(QString::fromStdString(e.what())));
        }
    }
    nsui::MainWindow w(experiment);
    w.show();
    return app.exec();
}
