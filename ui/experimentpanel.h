// The experiment panel: every model and training setting of SPEC section 2 with a one-sentence
// tooltip, validated as you type (the reason shown beside the field; nothing clamped), and the
// runs list with each run's overrides. Only a valid experiment ever leaves the panel.
#pragma once

#include <QMap>
#include <QWidget>

#include <nlohmann/json.hpp>

#include "engine/config.h"

class QLabel;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QPushButton;
class QLineEdit;
class QFormLayout;

namespace nsui {

class ExperimentPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentPanel(QWidget* parent = nullptr);

    void setExperiment(const ns::Experiment& e);  // fills every field; the experiment must be valid
    const ns::Experiment& experiment() const { return valid_; }  // the last valid experiment
    bool isValid() const { return errors_.isEmpty(); }
    QStringList errors() const;  // "field: reason" for every current refusal
    void setLocked(bool locked);  // while training: settings are read-only

    // For tests: the editor of a field ("model.heads", "train.lr", ...) and its message label.
    QWidget* editor(const QString& field) const { return editors_.value(field); }
    QLabel* messageLabel(const QString& field) const { return messages_.value(field); }
    QListWidget* runsList() const { return runs_; }
    QPlainTextEdit* overridesEditor() const { return overrides_; }

Q_SIGNALS:
    void experimentChanged(const ns::Experiment& e);

private:
    enum class Kind { Int, Real, Bool, Choice, Text, Seed };
    struct Field {
        QString section, key;
        Kind kind;
        QStringList choices;
    };
    void buildForm();
    void addField(QFormLayout* form, const QString& section, const QString& key, Kind kind, const QString& label,
                  const QString& tip, const QStringList& choices = {});
    void addBetas(QFormLayout* form);
    QWidget* makeRow(QWidget* editor, QLabel* message);
    void fillFields(const nlohmann::json& model, const nlohmann::json& train);
    void revalidate();
    void showErrors();
    bool readField(const Field& f, nlohmann::json& into, QString* error) const;
    void currentRunChanged();
    void overridesEdited();
    void appendRun(const QString& name, const nlohmann::json& overrides);
    void addRun();
    void duplicateRun();
    void removeRun();
    void runRenamed(QListWidgetItem* item);
    QString uniqueRunName(const QString& base) const;

    QList<Field> fields_;
    QMap<QString, QWidget*> editors_;
    QMap<QString, QLabel*> messages_;
    QMap<QString, QString> errors_;  // field path -> reason
    QLineEdit* name_ = nullptr;
    QListWidget* runs_ = nullptr;
    QPlainTextEdit* overrides_ = nullptr;
    QLabel* runsMessage_ = nullptr;
    QLabel* generalMessage_ = nullptr;
    QPushButton* addRun_ = nullptr;
    QPushButton* duplicateRun_ = nullptr;
    QPushButton* removeRun_ = nullptr;
    QWidget* form_ = nullptr;
    // Runs as edited: name and overrides {"model": {...}, "train": {...}} (possibly invalid).
    struct RunEdit {
        QString name;
        nlohmann::json overrides;
    };
    QList<RunEdit> runEdits_;
    ns::Experiment valid_;
    std::string sourceDir_;
    bool filling_ = false;
    bool locked_ = false;
};

}  // namespace nsui
