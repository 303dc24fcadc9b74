#include "ui/lessons.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>

namespace nsui {

QString LessonText::in(const QString& language) const {
    return language == QLatin1String("zh") && !zh.isEmpty() ? zh : en;
}

namespace {

// A refusal: the JSON path of the field and the reason.
struct Refusal {
    QString field, reason;
};

[[noreturn]] void refuse(const QString& field, const QString& reason) { throw Refusal{field, reason}; }

void onlyKeys(const QJsonObject& o, const QString& where, std::initializer_list<const char*> allowed) {
    QSet<QString> ok;
    for (const char* k : allowed) ok.insert(QLatin1String(k));
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!ok.contains(it.key()))
            refuse(where.isEmpty() ? it.key() : where + QLatin1Char('.') + it.key(), QStringLiteral("unknown key"));
}

QJsonObject objectAt(const QJsonObject& o, const char* key, const QString& where) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isObject()) refuse(where + QLatin1Char('.') + QLatin1String(key), QStringLiteral("must be an object"));
    return v.toObject();
}

LessonText textOf(const QJsonValue& v, const QString& field) {
    if (!v.isObject()) refuse(field, QStringLiteral("must be an object {\"en\": ..., \"zh\": ...}"));
    const QJsonObject o = v.toObject();
    onlyKeys(o, field, {"en", "zh"});
    LessonText t;
    t.en = o.value(QLatin1String("en")).toString().trimmed();
    t.zh = o.value(QLatin1String("zh")).toString().trimmed();
    if (t.en.isEmpty()) refuse(field + QStringLiteral(".en"), QStringLiteral("missing or empty"));
    if (t.zh.isEmpty()) refuse(field + QStringLiteral(".zh"), QStringLiteral("missing or empty"));
    return t;
}

QString oneOf(const QJsonValue& v, const QString& field, std::initializer_list<const char*> values) {
    const QString s = v.toString();
    for (const char* k : values)
        if (s == QLatin1String(k)) return s;
    QStringList names;
    for (const char* k : values) names << QLatin1String(k);
    refuse(field, QStringLiteral("must be one of %1").arg(names.join(QStringLiteral(", "))));
}

int intOf(const QJsonValue& v, const QString& field, int lo, int hi) {
    const double d = v.toDouble(-1e300);
    if (!v.isDouble() || d != static_cast<int>(d) || d < lo || d > hi)
        refuse(field, QStringLiteral("must be a whole number from %1 to %2").arg(lo).arg(hi));
    return static_cast<int>(d);
}

const char* const kSites[] = {"embedding", "norm1", "norm1_out", "norm2", "norm2_out", "final"};

QString siteOf(const QJsonValue& v, const QString& field, bool emptyAllowed) {
    const QString s = v.toString();
    if (emptyAllowed && (v.isUndefined() || s.isEmpty())) return QString();
    for (const char* k : kSites)
        if (s == QLatin1String(k)) return s;
    refuse(field, QStringLiteral("must be a norm site: embedding, norm1, norm1_out, norm2, norm2_out or final"));
}

LessonPrediction predictionOf(const QJsonObject& o, const QString& where) {
    onlyKeys(o, where, {"question", "choices", "answer", "explanation"});
    LessonPrediction p;
    p.question = textOf(o.value(QLatin1String("question")), where + QStringLiteral(".question"));
    const QJsonValue choices = o.value(QLatin1String("choices"));
    if (!choices.isArray() || choices.toArray().size() < 2)
        refuse(where + QStringLiteral(".choices"), QStringLiteral("must be an array of at least two texts"));
    const QJsonArray a = choices.toArray();
    for (int i = 0; i < a.size(); ++i)
        p.choices.push_back(textOf(a.at(i), where + QStringLiteral(".choices[%1]").arg(i)));
    p.answer = intOf(o.value(QLatin1String("answer")), where + QStringLiteral(".answer"), 0,
                     static_cast<int>(p.choices.size()) - 1);
    p.explanation = textOf(o.value(QLatin1String("explanation")), where + QStringLiteral(".explanation"));
    return p;
}

LessonShow showOf(const QJsonObject& o, const QString& where) {
    onlyKeys(o, where, {"tab", "site", "layer", "step"});
    LessonShow s;
    s.tab = oneOf(o.value(QLatin1String("tab")), where + QStringLiteral(".tab"),
                  {"curves", "normstats", "gradnorms", "heatmaps"});
    s.site = siteOf(o.value(QLatin1String("site")), where + QStringLiteral(".site"), true);
    s.layer = o.contains(QLatin1String("layer")) ? intOf(o.value(QLatin1String("layer")), where + QStringLiteral(".layer"), -1, 10000)
                                                 : -1;
    s.step = o.contains(QLatin1String("step")) ? oneOf(o.value(QLatin1String("step")), where + QStringLiteral(".step"), {"init", "latest"})
                                               : QStringLiteral("latest");
    return s;
}

LessonView viewOf(const QJsonObject& o, const QString& where) {
    LessonView v;
    v.kind = oneOf(o.value(QLatin1String("kind")), where + QStringLiteral(".kind"), {"formula", "axes"});
    if (v.kind == QLatin1String("formula")) {
        onlyKeys(o, where, {"kind", "run", "site", "layer", "position", "step"});
        if (o.contains(QLatin1String("run"))) v.run = intOf(o.value(QLatin1String("run")), where + QStringLiteral(".run"), 0, 1000);
        if (o.contains(QLatin1String("site"))) v.site = siteOf(o.value(QLatin1String("site")), where + QStringLiteral(".site"), false);
        if (o.contains(QLatin1String("layer")))
            v.layer = intOf(o.value(QLatin1String("layer")), where + QStringLiteral(".layer"), -1, 10000);
        if (o.contains(QLatin1String("position")))
            v.position = intOf(o.value(QLatin1String("position")), where + QStringLiteral(".position"), 0, 100000);
        if (o.contains(QLatin1String("step")))
            v.step = oneOf(o.value(QLatin1String("step")), where + QStringLiteral(".step"), {"init", "latest"});
    } else {
        onlyKeys(o, where, {"kind", "norm"});
        if (o.contains(QLatin1String("norm")))
            v.norm = oneOf(o.value(QLatin1String("norm")), where + QStringLiteral(".norm"), {"layernorm", "batchnorm", "rmsnorm"});
    }
    return v;
}

LessonStep stepOf(const QJsonValue& value, const QString& where) {
    if (!value.isObject()) refuse(where, QStringLiteral("must be an object"));
    const QJsonObject o = value.toObject();
    onlyKeys(o, where, {"text", "prediction", "run", "show", "look", "view"});
    LessonStep s;
    s.text = textOf(o.value(QLatin1String("text")), where + QStringLiteral(".text"));
    if (o.contains(QLatin1String("prediction")))
        s.prediction = predictionOf(objectAt(o, "prediction", where), where + QStringLiteral(".prediction"));
    if (o.contains(QLatin1String("run"))) {
        if (!o.value(QLatin1String("run")).isBool()) refuse(where + QStringLiteral(".run"), QStringLiteral("must be true or false"));
        s.run = o.value(QLatin1String("run")).toBool();
    }
    if (o.contains(QLatin1String("show"))) s.show = showOf(objectAt(o, "show", where), where + QStringLiteral(".show"));
    if (o.contains(QLatin1String("look"))) s.look = textOf(o.value(QLatin1String("look")), where + QStringLiteral(".look"));
    if (o.contains(QLatin1String("view"))) s.view = viewOf(objectAt(o, "view", where), where + QStringLiteral(".view"));
    return s;
}

}  // namespace

std::optional<LessonBook> parseLessonBook(const QByteArray& json, const QString& experimentsDir, QString* error) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        if (error) *error = QStringLiteral("not valid JSON at offset %1: %2").arg(pe.offset).arg(pe.errorString());
        return std::nullopt;
    }
    try {
        if (!doc.isObject()) refuse(QString(), QStringLiteral("the file must hold one JSON object"));
        const QJsonObject root = doc.object();
        onlyKeys(root, QString(), {"format", "version", "about", "lessons"});
        if (root.value(QLatin1String("format")).toString() != QLatin1String("normscope-lessons"))
            refuse(QStringLiteral("format"), QStringLiteral("must be \"normscope-lessons\""));
        if (root.value(QLatin1String("version")).toInt(-1) != 1)
            refuse(QStringLiteral("version"), QStringLiteral("must be 1"));
        const QJsonValue lessons = root.value(QLatin1String("lessons"));
        if (!lessons.isArray() || lessons.toArray().isEmpty())
            refuse(QStringLiteral("lessons"), QStringLiteral("must be a non-empty array"));
        LessonBook book;
        const QDir dir(experimentsDir);
        QSet<QString> ids;
        const QJsonArray a = lessons.toArray();
        for (int i = 0; i < a.size(); ++i) {
            const QString where = QStringLiteral("lessons[%1]").arg(i);
            if (!a.at(i).isObject()) refuse(where, QStringLiteral("must be an object"));
            const QJsonObject o = a.at(i).toObject();
            onlyKeys(o, where, {"id", "title", "experiment", "steps"});
            Lesson l;
            l.id = o.value(QLatin1String("id")).toString();
            if (l.id.isEmpty()) refuse(where + QStringLiteral(".id"), QStringLiteral("missing or empty"));
            if (ids.contains(l.id)) refuse(where + QStringLiteral(".id"), QStringLiteral("\"%1\" is used twice").arg(l.id));
            ids.insert(l.id);
            l.title = textOf(o.value(QLatin1String("title")), where + QStringLiteral(".title"));
            l.experiment = o.value(QLatin1String("experiment")).toString();
            if (l.experiment.isEmpty() || l.experiment.contains(QLatin1Char('/')) || l.experiment.contains(QLatin1Char('\\')))
                refuse(where + QStringLiteral(".experiment"), QStringLiteral("must be a file name in resources/experiments/"));
            l.experimentPath = QDir::cleanPath(dir.absoluteFilePath(l.experiment));
            const QJsonValue steps = o.value(QLatin1String("steps"));
            if (!steps.isArray() || steps.toArray().isEmpty())
                refuse(where + QStringLiteral(".steps"), QStringLiteral("must be a non-empty array"));
            const QJsonArray sa = steps.toArray();
            for (int k = 0; k < sa.size(); ++k) l.steps.push_back(stepOf(sa.at(k), where + QStringLiteral(".steps[%1]").arg(k)));
            book.lessons.push_back(std::move(l));
        }
        return book;
    } catch (const Refusal& r) {
        if (error) *error = r.field.isEmpty() ? r.reason : r.field + QStringLiteral(": ") + r.reason;
        return std::nullopt;
    }
}

std::optional<LessonBook> loadLessonBook(const QString& path, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error) *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    const QString experiments = QFileInfo(path).absoluteDir().absoluteFilePath(QStringLiteral("../experiments"));
    QString why;
    auto book = parseLessonBook(f.readAll(), experiments, &why);
    if (!book && error) *error = QStringLiteral("%1: %2").arg(path, why);
    return book;
}

}  // namespace nsui
