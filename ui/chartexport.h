// Pictures and data of the charts: PNG at a chosen scale, SVG and PDF drawn from the widget
// itself (vector output for SVG and PDF), and the CSV behind each chart; "Export all" writes a
// bundle folder that `normscope <bundle>/experiment.json` reopens and that retrains to the same
// numbers.
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

#include "ui/rundata.h"

class QLayout;
class QWidget;

namespace nsui {

enum class ImageFormat { Png, Svg, Pdf };

// A chart tab's controls (sliders, boxes, its inner tab bar) are left out of exported pictures,
// and a caption that says what they were set to can be shown in pictures only: exportWidget
// hides the one and shows the other while it draws, then puts the tab back as it was.
void setScreenOnly(QWidget* w);
void setScreenOnly(QLayout* l);  // every widget in l and its sublayouts
void setPictureOnly(QWidget* w);  // hidden on screen from now on

// Draws `w` into `path` (written through QSaveFile), as it looks without its screen-only widgets
// and with its picture-only ones. Returns false and sets *error on failure.
bool exportWidget(QWidget* w, const QString& path, ImageFormat format, double scale, QString* error);
bool formatFromSuffix(const QString& path, ImageFormat* format);

// The data behind chart tab `chart` ("curves", "normstats", "gradnorms", "heatmaps") for every
// run: the SPEC section 4 columns with a leading `run` column.
QString chartCsv(const QString& chart, const Snapshot& s);

// A bundle: DIR/experiment.json, DIR/<run>/{metrics,eval_gap,norm_stats,grad_norms,residual}.csv
// exactly as `normscope train` writes them, and DIR/charts/<chart>.{png,svg,pdf} for the given
// chart widgets (name -> widget), each drawn after onScreen(widget) when given (the window
// shows it there: a tab must be on screen to be laid out). Returns the files written.
bool exportBundle(const QString& dir, const ns::Experiment& e, const Snapshot& s,
                  const QList<QPair<QString, QWidget*>>& charts, const QList<ImageFormat>& formats, double pngScale,
                  QStringList* written, QString* error, const std::function<void(QWidget*)>& onScreen = {});

}  // namespace nsui
