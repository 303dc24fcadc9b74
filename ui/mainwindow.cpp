#include "ui/mainwindow.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nsui {

MainWindow::MainWindow(const ns::Experiment& experiment, QWidget* parent)
    : QMainWindow(parent), experiment_(experiment) {
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    auto* title = new QLabel(central);
    title->setObjectName("experimentTitle");
    QFont f = title->font();
    f.setPointSizeF(f.pointSizeF() * 1.5);
    f.setBold(true);
    title->setFont(f);
    title->setText(QString::fromStdString(experiment_.name));
    layout->addWidget(title);
    runs_ = new QTreeWidget(central);
    runs_->setHeaderLabels({tr("Run"), tr("Norm"), tr("Placement"), tr("Layers"), tr("d_model"), tr("Residual")});
    runs_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(runs_);
    setCentralWidget(central);
    setWindowTitle(tr("NormScope — %1").arg(QString::fromStdString(experiment_.name)));
    resize(1000, 650);
    showExperiment();
}

void MainWindow::showExperiment() {
    runs_->clear();
    for (const ns::RunSpec& r : experiment_.runs) {
        auto* item = new QTreeWidgetItem(runs_);
        item->setText(0, QString::fromStdString(r.name));
        item->setText(1, QString::fromLatin1(ns::to_string(r.model.norm)));
        item->setText(2, QString::fromLatin1(ns::to_string(r.model.placement)));
        item->setText(3, QString::number(r.model.layers));
        item->setText(4, QString::number(r.model.d_model));
        item->setText(5, r.model.residual ? tr("on") : tr("off"));
    }
}

}  // namespace nsui
