// The main window. For now it shows the experiment that was opened: its runs and what differs.
#pragma once

#include <QMainWindow>

#include "engine/config.h"

class QTreeWidget;

namespace nsui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const ns::Experiment& experiment, QWidget* parent = nullptr);

private:
    void showExperiment();
    ns::Experiment experiment_;
    QTreeWidget* runs_ = nullptr;
};

}  // namespace nsui
