#include "ui/chartexport.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QPointer>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

#include "engine/report.h"
#include "engine/results.h"

namespace nsui {

namespace {

bool write_bytes(const QString& path, const QByteArray& data, QString* error) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        *error = QObject::tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

// Adds a leading `run` column to every line of a SPEC CSV (header included).
QString with_run_column(const QString& run, const std::string& csv, bool header) {
    QString out;
    const QStringList lines = QString::fromStdString(csv).split('\n', Qt::SkipEmptyParts);
    for (int i = header ? 0 : 1; i < lines.size(); ++i) {
        if (i == 0) out += "run," + lines[i] + "\n";
        else out += QString::fromStdString(ns::csv_field(run.toStdString())) + "," + lines[i] + "\n";
    }
    return out;
}

constexpr char kExportRole[] = "nsExportRole";  // "screen" or "picture"

// Lays `w` out again now: its layout, then the posted layout requests of its children (the
// charts place their plot areas, legends and labels in them).
void relayout(QWidget* w) {
    for (int i = 0; i < 3; ++i) {
        if (w->layout()) w->layout()->activate();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }
}

// While it lives, `w` looks as it is exported: screen-only widgets hidden, picture-only ones shown.
class PictureLook {
public:
    explicit PictureLook(QWidget* w) : w_(w) {
        for (QWidget* c : w->findChildren<QWidget*>()) {
            const QByteArray role = c->property(kExportRole).toByteArray();
            if (role == "screen" && !c->isHidden()) hidden_.append(c);
            else if (role == "picture" && c->isHidden()) shown_.append(c);
        }
        if (hidden_.isEmpty() && shown_.isEmpty()) return;
        for (QLayout* l : w->findChildren<QLayout*>())  // rows of controls: their margins too
            if (l->property(kExportRole).toByteArray() == "screen") {
                margins_.append({l, l->contentsMargins()});
                l->setContentsMargins(0, 0, 0, 0);
            }
        if (QWidget* f = QApplication::focusWidget(); f && w->isAncestorOf(f)) focus_ = f;
        for (QWidget* c : hidden_) c->hide();
        for (QWidget* c : shown_) c->show();
        relayout(w);
    }
    ~PictureLook() {
        if (hidden_.isEmpty() && shown_.isEmpty()) return;
        for (const QPointer<QWidget>& c : shown_)
            if (c) c->hide();
        for (const QPointer<QWidget>& c : hidden_)
            if (c) c->show();
        for (const auto& [l, m] : margins_)
            if (l) l->setContentsMargins(m);
        if (w_) relayout(w_);
        if (focus_ && QApplication::focusWidget() != focus_) focus_->setFocus();
    }
    PictureLook(const PictureLook&) = delete;
    PictureLook& operator=(const PictureLook&) = delete;

private:
    QPointer<QWidget> w_, focus_;
    QList<QPointer<QWidget>> hidden_, shown_;
    QList<QPair<QPointer<QLayout>, QMargins>> margins_;
};

}  // namespace

void setScreenOnly(QWidget* w) { w->setProperty(kExportRole, QByteArrayLiteral("screen")); }

void setScreenOnly(QLayout* l) {
    l->setProperty(kExportRole, QByteArrayLiteral("screen"));
    for (int i = 0; i < l->count(); ++i) {
        QLayoutItem* item = l->itemAt(i);
        if (item->widget()) setScreenOnly(item->widget());
        else if (item->layout()) setScreenOnly(item->layout());
    }
}

void setPictureOnly(QWidget* w) {
    w->setProperty(kExportRole, QByteArrayLiteral("picture"));
    w->hide();
}

bool formatFromSuffix(const QString& path, ImageFormat* format) {
    const QString s = QFileInfo(path).suffix().toLower();
    if (s == "png") *format = ImageFormat::Png;
    else if (s == "svg") *format = ImageFormat::Svg;
    else if (s == "pdf") *format = ImageFormat::Pdf;
    else return false;
    return true;
}

bool exportWidget(QWidget* w, const QString& path, ImageFormat format, double scale, QString* error) {
    const QSize size = w->size();
    if (size.isEmpty()) {
        *error = QObject::tr("the chart has no size to draw");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QObject::tr("%1: %2").arg(path, file.errorString());
        return false;
    }
    const PictureLook look(w);
    switch (format) {
    case ImageFormat::Png: {
        scale = std::clamp(scale, 0.25, 8.0);
        QImage img(QSize(qRound(size.width() * scale), qRound(size.height() * scale)), QImage::Format_ARGB32_Premultiplied);
        img.setDevicePixelRatio(scale);
        img.fill(w->palette().color(QPalette::Window));
        {
            QPainter p(&img);
            p.setRenderHint(QPainter::Antialiasing);
            w->render(&p);
        }
        if (!img.save(&file, "PNG")) {
            *error = QObject::tr("%1: the PNG could not be encoded").arg(path);
            return false;
        }
        break;
    }
    case ImageFormat::Svg: {
        QSvgGenerator gen;
        gen.setOutputDevice(&file);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        gen.setTitle(w->windowTitle().isEmpty() ? QStringLiteral("NormScope chart") : w->windowTitle());
        gen.setDescription(QStringLiteral("Exported by NormScope"));
        QPainter p(&gen);
        w->render(&p);
        break;
    }
    case ImageFormat::Pdf: {
        QPdfWriter pdf(&file);
        pdf.setCreator(QStringLiteral("NormScope"));
        pdf.setResolution(96);
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setPageSize(QPageSize(QSizeF(size.width() * 72.0 / 96.0, size.height() * 72.0 / 96.0), QPageSize::Point));
        QPainter p(&pdf);
        w->render(&p);
        break;
    }
    }
    if (!file.commit()) {
        *error = QObject::tr("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString chartCsv(const QString& chart, const Snapshot& s) {
    QString out;
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
        const RunSeries& r = s.runs[i];
        std::string csv;
        if (chart == "curves") csv = ns::metrics_csv(r.metrics);
        else if (chart == "normstats") csv = ns::norm_stats_csv(r.probes);
        else if (chart == "gradnorms") csv = ns::grad_norms_csv(r.probes);
        else csv = ns::residual_csv(r.probes);
        out += with_run_column(r.name, csv, i == 0);
    }
    return out;
}

bool exportBundle(const QString& dir, const ns::Experiment& e, const Snapshot& s,
                  const QList<QPair<QString, QWidget*>>& charts, const QList<ImageFormat>& formats, double pngScale,
                  QStringList* written, QString* error, const std::function<void(QWidget*)>& onScreen) {
    QDir d(dir);
    if (!d.mkpath(".") || !d.mkpath("charts")) {
        *error = QObject::tr("%1: the folder cannot be created").arg(dir);
        return false;
    }
    auto put = [&](const QString& rel, const std::string& data) {
        const QString path = d.filePath(rel);
        if (!write_bytes(path, QByteArray::fromStdString(data), error)) return false;
        written->append(path);
        return true;
    };
    if (!put("experiment.json", ns::to_json(e).dump(2) + "\n")) return false;
    for (const RunSeries& r : s.runs) {
        const QString sub = QString::fromStdString(ns::file_safe_name(r.name.toStdString()));
        if (!d.mkpath(sub)) {
            *error = QObject::tr("%1: the folder cannot be created").arg(d.filePath(sub));
            return false;
        }
        if (!put(sub + "/metrics.csv", ns::metrics_csv(r.metrics)) || !put(sub + "/eval_gap.csv", ns::eval_gap_csv(r.metrics)) ||
            !put(sub + "/norm_stats.csv", ns::norm_stats_csv(r.probes)) ||
            !put(sub + "/grad_norms.csv", ns::grad_norms_csv(r.probes)) ||
            !put(sub + "/residual.csv", ns::residual_csv(r.probes)))
            return false;
    }
    for (const auto& [name, widget] : charts) {
        if (onScreen) onScreen(widget);
        for (ImageFormat f : formats) {
            const char* suffix = f == ImageFormat::Png ? "png" : (f == ImageFormat::Svg ? "svg" : "pdf");
            const QString path = d.filePath(QString("charts/%1.%2").arg(name, suffix));
            if (!exportWidget(widget, path, f, pngScale, error)) return false;
            written->append(path);
        }
        if (!put(QString("charts/%1.csv").arg(name), chartCsv(name, s).toStdString())) return false;
    }
    return true;
}

}  // namespace nsui
