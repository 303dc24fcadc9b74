#include "ui/experimentpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace nsui {

namespace {

QString path_of(const QString& section, const QString& key) { return section + "." + key; }

// Numbers as the file writes them: the shortest text that reads back to the same value.
QString json_number_text(const nlohmann::json& v) { return QString::fromStdString(v.dump()); }

// A refusal message: red, wrapped, hidden until there is something to say.
void markAsMessage(QLabel* label) {
    label->setWordWrap(true);
    label->setVisible(false);
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, QColor(200, 30, 30));
    label->setPalette(p);
}

}  // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent) {
    buildForm();
    setExperiment(ns::default_experiment());
}

QWidget* ExperimentPanel::makeRow(QWidget* editor, QLabel* message) {
    auto* row = new QWidget;
    auto* v = new QVBoxLayout(row);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(1);
    v->addWidget(editor);
    markAsMessage(message);
    v->addWidget(message);
    return row;
}

void ExperimentPanel::addField(QFormLayout* form, const QString& section, const QString& key, Kind kind,
                               const QString& label, const QString& tip, const QStringList& choices) {
    const QString path = path_of(section, key);
    QWidget* editor = nullptr;
    switch (kind) {
    case Kind::Bool: {
        auto* c = new QCheckBox;
        connect(c, &QCheckBox::toggled, this, &ExperimentPanel::revalidate);
        editor = c;
        break;
    }
    case Kind::Choice: {
        auto* c = new QComboBox;
        for (const QString& ch : choices) c->addItem(ch, ch);
        connect(c, &QComboBox::currentIndexChanged, this, &ExperimentPanel::revalidate);
        editor = c;
        break;
    }
    default: {
        auto* e = new QLineEdit;
        connect(e, &QLineEdit::textChanged, this, &ExperimentPanel::revalidate);
        editor = e;
        break;
    }
    }
    editor->setObjectName(path);
    editor->setToolTip(tip);
    auto* message = new QLabel;
    message->setObjectName(path + ".message");
    auto* l = new QLabel(label);
    l->setToolTip(tip);
    form->addRow(l, makeRow(editor, message));
    editors_.insert(path, editor);
    messages_.insert(path, message);
    fields_.append({section, key, kind, choices});
}

void ExperimentPanel::addBetas(QFormLayout* form) {
    const QString tip = tr("Adam's decay rates for the running mean of the gradient and of its square.");
    auto* box = new QWidget;
    auto* h = new QHBoxLayout(box);
    h->setContentsMargins(0, 0, 0, 0);
    auto* b1 = new QLineEdit;
    auto* b2 = new QLineEdit;
    b1->setObjectName("train.betas.0");
    b2->setObjectName("train.betas.1");
    for (auto* e : {b1, b2}) {
        e->setToolTip(tip);
        connect(e, &QLineEdit::textChanged, this, &ExperimentPanel::revalidate);
        h->addWidget(e);
    }
    auto* message = new QLabel;
    message->setObjectName("train.betas.message");
    auto* l = new QLabel(tr("Adam betas"));
    l->setToolTip(tip);
    form->addRow(l, makeRow(box, message));
    editors_.insert("train.betas", box);
    editors_.insert("train.betas.0", b1);
    editors_.insert("train.betas.1", b2);
    messages_.insert("train.betas", message);
}

void ExperimentPanel::buildForm() {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    form_ = new QWidget;
    auto* v = new QVBoxLayout(form_);

    auto* nameRow = new QFormLayout;
    name_ = new QLineEdit;
    name_->setObjectName("name");
    name_->setToolTip(tr("The experiment's name, shown in the title bar and written to its files."));
    connect(name_, &QLineEdit::textChanged, this, &ExperimentPanel::revalidate);
    nameRow->addRow(tr("Experiment"), name_);
    v->addLayout(nameRow);
    generalMessage_ = new QLabel;
    generalMessage_->setObjectName("generalMessage");
    markAsMessage(generalMessage_);
    v->addWidget(generalMessage_);

    auto* model = new QGroupBox(tr("Model"));
    auto* mf = new QFormLayout(model);
    const QString m = "model";
    addField(mf, m, "layers", Kind::Int, tr("Layers"), tr("How many encoder layers are stacked (L)."));
    addField(mf, m, "d_model", Kind::Int, tr("d_model"), tr("The width of every token's vector (D); heads must divide it."));
    addField(mf, m, "heads", Kind::Int, tr("Heads"), tr("Attention heads per layer; each head works on d_model / heads features."));
    addField(mf, m, "d_ff", Kind::Int, tr("d_ff"), tr("The hidden width of the position-wise feed-forward network (F)."));
    addField(mf, m, "vocab", Kind::Int, tr("Vocabulary"), tr("How many different tokens there are (V)."));
    addField(mf, m, "max_len", Kind::Int, tr("Max length"), tr("The longest sequence the positional encoding covers."));
    addField(mf, m, "norm", Kind::Choice, tr("Norm"),
             tr("Which normalization every norm site uses: LayerNorm, the tutorial variant with unbiased std, RMSNorm, BatchNorm, DyT or none."),
             {"layernorm", "layernorm_std", "rmsnorm", "batchnorm", "dyt", "none"});
    addField(mf, m, "placement", Kind::Choice, tr("Placement"),
             tr("Where the norms sit: after the residual add (post), before each sublayer (pre), on both sides (sandwich), or post with DeepNorm scaling."),
             {"post", "pre", "sandwich", "deepnorm"});
    addField(mf, m, "final_norm", Kind::Choice, tr("Final norm"),
             tr("A norm after the last layer; auto means on for pre and sandwich, off otherwise."), {"auto", "true", "false"});
    addField(mf, m, "embedding_norm", Kind::Bool, tr("Embedding norm"),
             tr("Normalize token embedding plus positional encoding before the first layer."));
    addField(mf, m, "residual", Kind::Bool, tr("Residual connections"),
             tr("Add each sublayer's input to its output (switch off to see why deep stacks need it)."));
    addField(mf, m, "positional", Kind::Choice, tr("Positional encoding"),
             tr("How positions are added to the token embedding, once, before the first layer."), {"learned", "sinusoidal", "none"});
    addField(mf, m, "embedding_scale", Kind::Choice, tr("Embedding scale"),
             tr("Multiply the token embedding by 1 (none) or by sqrt(d_model) as in the original Transformer."), {"none", "sqrt_d"});
    addField(mf, m, "activation", Kind::Choice, tr("Activation"), tr("The feed-forward network's non-linearity."), {"relu", "gelu"});
    addField(mf, m, "eps", Kind::Real, tr("eps"), tr("The small constant that keeps the norm's division finite."));
    addField(mf, m, "causal", Kind::Bool, tr("Causal mask"), tr("Each position attends only to itself and earlier positions."));
    addField(mf, m, "dropout", Kind::Real, tr("Dropout"), tr("Probability of zeroing each sublayer output element during training (0 = off)."));
    addField(mf, m, "init", Kind::Choice, tr("Initialisation"),
             tr("Xavier (Glorot normal) for every matrix, or PyTorch's own defaults."), {"xavier", "torch"});
    addField(mf, m, "dyt_alpha", Kind::Real, tr("DyT alpha"), tr("The starting value of DyT's learned scale inside tanh(alpha x)."));
    v->addWidget(model);

    auto* train = new QGroupBox(tr("Training"));
    auto* tf = new QFormLayout(train);
    const QString t = "train";
    addField(tf, t, "task", Kind::Choice, tr("Task"),
             tr("What the model learns: reverse, sort or copy the sequence, count each token (histogram), or predict the next character of a text."),
             {"reverse", "sort", "copy", "histogram", "text"});
    addField(tf, t, "text_file", Kind::Text, tr("Text file"), tr("The UTF-8 text for the text task, relative to the experiment file."));
    addField(tf, t, "seq_len", Kind::Int, tr("Sequence length"), tr("Tokens per training sequence (T)."));
    addField(tf, t, "batch", Kind::Int, tr("Batch size"), tr("Sequences per training step (B); BatchNorm's statistics come from B x T positions."));
    addField(tf, t, "steps", Kind::Int, tr("Steps"), tr("How many updates to train for."));
    addField(tf, t, "seed", Kind::Seed, tr("Seed"), tr("Fixes the initial weights and every batch: same seed, same numbers."));
    addField(tf, t, "optimizer", Kind::Choice, tr("Optimizer"),
             tr("SGD with momentum, Adam (L2 decay in the gradient) or AdamW (decoupled weight decay)."), {"adam", "adamw", "sgd"});
    addField(tf, t, "lr", Kind::Real, tr("Learning rate"), tr("The peak learning rate, reached after warmup."));
    addBetas(tf);
    addField(tf, t, "adam_eps", Kind::Real, tr("Adam eps"), tr("Added to Adam's denominator to keep it away from zero."));
    addField(tf, t, "momentum", Kind::Real, tr("Momentum"), tr("SGD's momentum factor."));
    addField(tf, t, "weight_decay", Kind::Real, tr("Weight decay"), tr("Pulls weights towards zero at every step (0 = off)."));
    addField(tf, t, "warmup", Kind::Int, tr("Warmup steps"), tr("The learning rate rises linearly from 0 to its peak over these steps."));
    addField(tf, t, "schedule", Kind::Choice, tr("Schedule"),
             tr("After warmup: constant, linear or cosine decay, or inverse square root (Noam)."),
             {"constant", "linear", "cosine", "inverse_sqrt"});
    addField(tf, t, "min_lr_ratio", Kind::Real, tr("Final lr ratio"), tr("Where linear and cosine decay end, as a fraction of the peak."));
    addField(tf, t, "clip", Kind::Real, tr("Gradient clipping"), tr("Scale the gradient down when its global norm exceeds this (0 = off)."));
    addField(tf, t, "eval_every", Kind::Int, tr("Evaluate every"), tr("Steps between evaluations on the fixed validation set."));
    addField(tf, t, "probe_every", Kind::Int, tr("Probe every"), tr("Steps between recordings of norm statistics and gradient norms."));
    addField(tf, t, "val_batches", Kind::Int, tr("Validation batches"), tr("Size of the fixed validation set, in batches."));
    v->addWidget(train);
    v->addStretch(1);
    scroll->setWidget(form_);

    auto* runsBox = new QGroupBox(tr("Runs"));
    auto* rv = new QVBoxLayout(runsBox);
    runs_ = new QListWidget;
    runs_->setObjectName("runs");
    runs_->setToolTip(tr("Each run is the settings above with its own overrides; double-click a name to rename it."));
    runs_->setMaximumHeight(120);
    connect(runs_, &QListWidget::currentRowChanged, this, &ExperimentPanel::currentRunChanged);
    connect(runs_, &QListWidget::itemChanged, this, &ExperimentPanel::runRenamed);
    rv->addWidget(runs_);
    auto* buttons = new QHBoxLayout;
    addRun_ = new QPushButton(tr("Add"));
    duplicateRun_ = new QPushButton(tr("Duplicate"));
    removeRun_ = new QPushButton(tr("Remove"));
    addRun_->setToolTip(tr("Add a run with no overrides."));
    duplicateRun_->setToolTip(tr("Copy the selected run and its overrides."));
    removeRun_->setToolTip(tr("Remove the selected run."));
    connect(addRun_, &QPushButton::clicked, this, &ExperimentPanel::addRun);
    connect(duplicateRun_, &QPushButton::clicked, this, &ExperimentPanel::duplicateRun);
    connect(removeRun_, &QPushButton::clicked, this, &ExperimentPanel::removeRun);
    for (auto* b : {addRun_, duplicateRun_, removeRun_}) buttons->addWidget(b);
    rv->addLayout(buttons);
    auto* ol = new QLabel(tr("Overrides of the selected run (JSON):"));
    rv->addWidget(ol);
    overrides_ = new QPlainTextEdit;
    overrides_->setObjectName("overrides");
    overrides_->setToolTip(tr("Settings that differ in this run, e.g. {\"model\": {\"placement\": \"pre\"}}."));
    overrides_->setMaximumHeight(90);
    QFont mono("monospace");
    mono.setStyleHint(QFont::Monospace);
    overrides_->setFont(mono);
    connect(overrides_, &QPlainTextEdit::textChanged, this, &ExperimentPanel::overridesEdited);
    rv->addWidget(overrides_);
    runsMessage_ = new QLabel;
    runsMessage_->setObjectName("runs.message");
    markAsMessage(runsMessage_);
    rv->addWidget(runsMessage_);

    outer->addWidget(runsBox);
    outer->addWidget(scroll, 1);
}

void ExperimentPanel::fillFields(const nlohmann::json& model, const nlohmann::json& train) {
    for (const Field& f : fields_) {
        const nlohmann::json& src = f.section == "model" ? model : train;
        const std::string key = f.key.toStdString();
        QWidget* w = editors_.value(path_of(f.section, f.key));
        const bool has = src.contains(key);
        switch (f.kind) {
        case Kind::Bool:
            static_cast<QCheckBox*>(w)->setChecked(has && src[key].is_boolean() && src[key].get<bool>());
            break;
        case Kind::Choice: {
            QString v = has ? (src[key].is_string() ? QString::fromStdString(src[key].get<std::string>())
                                                    : QString::fromStdString(src[key].dump()))
                            : f.choices.value(0);
            auto* c = static_cast<QComboBox*>(w);
            c->setCurrentIndex(std::max(0, c->findData(v)));
            break;
        }
        case Kind::Text:
            static_cast<QLineEdit*>(w)->setText(has ? QString::fromStdString(src[key].get<std::string>()) : QString());
            break;
        default:
            static_cast<QLineEdit*>(w)->setText(has ? json_number_text(src[key]) : QString());
        }
    }
    const auto& betas = train.contains("betas") ? train["betas"] : nlohmann::json::array({0.9, 0.98});
    static_cast<QLineEdit*>(editors_.value("train.betas.0"))->setText(json_number_text(betas[0]));
    static_cast<QLineEdit*>(editors_.value("train.betas.1"))->setText(json_number_text(betas[1]));
}

void ExperimentPanel::setExperiment(const ns::Experiment& e) {
    filling_ = true;
    const nlohmann::json j = ns::to_json(e);
    sourceDir_ = e.source_dir;
    name_->setText(QString::fromStdString(e.name));
    fillFields(j["model"], j["train"]);
    runEdits_.clear();
    runs_->clear();
    for (const ns::RunSpec& r : e.runs) {
        nlohmann::json o = nlohmann::json::object();
        if (!r.model_overrides.empty()) o["model"] = r.model_overrides;
        if (!r.train_overrides.empty()) o["train"] = r.train_overrides;
        runEdits_.append({QString::fromStdString(r.name), o});
        auto* item = new QListWidgetItem(QString::fromStdString(r.name));
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        runs_->addItem(item);
    }
    valid_ = e;
    errors_.clear();
    filling_ = false;
    runs_->setCurrentRow(0);
    currentRunChanged();
    showErrors();
}

bool ExperimentPanel::readField(const Field& f, nlohmann::json& into, QString* error) const {
    const QString path = path_of(f.section, f.key);
    QWidget* w = editors_.value(path);
    const std::string key = f.key.toStdString();
    switch (f.kind) {
    case Kind::Bool:
        into[key] = static_cast<QCheckBox*>(w)->isChecked();
        return true;
    case Kind::Choice: {
        const QString v = static_cast<QComboBox*>(w)->currentData().toString();
        if (f.key == "final_norm" && v != "auto") into[key] = v == "true";
        else into[key] = v.toStdString();
        return true;
    }
    case Kind::Text: {
        const QString v = static_cast<QLineEdit*>(w)->text();
        if (!v.isEmpty()) into[key] = v.toStdString();
        return true;
    }
    case Kind::Int:
    case Kind::Seed: {
        const QString text = static_cast<QLineEdit*>(w)->text().trimmed();
        bool ok = false;
        if (f.kind == Kind::Seed) {
            const qulonglong v = text.toULongLong(&ok);
            if (ok) { into[key] = static_cast<std::uint64_t>(v); return true; }
            *error = tr("must be a whole number from 0 to 18446744073709551615");
            return false;
        }
        const qlonglong v = text.toLongLong(&ok);
        if (!ok) {
            *error = text.isEmpty() ? tr("is empty: a whole number is needed") : tr("'%1' is not a whole number").arg(text);
            return false;
        }
        into[key] = static_cast<std::int64_t>(v);  // the range check is the engine's, with its reason
        return true;
    }
    case Kind::Real: {
        const QString text = static_cast<QLineEdit*>(w)->text().trimmed();
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (!ok || !std::isfinite(v)) {
            *error = text.isEmpty() ? tr("is empty: a number is needed") : tr("'%1' is not a number").arg(text);
            return false;
        }
        into[key] = v;
        return true;
    }
    }
    return false;
}

void ExperimentPanel::revalidate() {
    if (filling_) return;
    errors_.clear();
    nlohmann::json model = nlohmann::json::object(), train = nlohmann::json::object();
    for (const Field& f : fields_) {
        QString err;
        if (!readField(f, f.section == "model" ? model : train, &err)) errors_.insert(path_of(f.section, f.key), err);
    }
    bool ok0 = false, ok1 = false;
    const double b0 = static_cast<QLineEdit*>(editors_.value("train.betas.0"))->text().toDouble(&ok0);
    const double b1 = static_cast<QLineEdit*>(editors_.value("train.betas.1"))->text().toDouble(&ok1);
    if (!ok0 || !ok1) errors_.insert("train.betas", tr("two numbers are needed"));
    else train["betas"] = {b0, b1};
    if (errors_.isEmpty()) {
        nlohmann::json j = {{"format", "normscope-experiment"}, {"version", 1}, {"name", name_->text().toStdString()},
                            {"model", model}, {"train", train}, {"runs", nlohmann::json::array()}};
        for (const RunEdit& r : runEdits_) {
            nlohmann::json run = r.overrides.is_object() ? r.overrides : nlohmann::json::object();
            run["name"] = r.name.toStdString();
            j["runs"].push_back(run);
        }
        try {
            ns::Experiment e = ns::parse_experiment(j, sourceDir_);
            valid_ = std::move(e);
        } catch (const ns::ConfigError& err) {
            errors_.insert(QString::fromStdString(err.field()), QString::fromStdString(err.reason()));
        }
    }
    showErrors();
    if (errors_.isEmpty()) Q_EMIT experimentChanged(valid_);
}

void ExperimentPanel::showErrors() {
    for (auto it = messages_.begin(); it != messages_.end(); ++it) {
        const QString err = errors_.value(it.key());
        it.value()->setText(err);
        it.value()->setVisible(!err.isEmpty());
    }
    QStringList runErrors, general;
    for (auto it = errors_.begin(); it != errors_.end(); ++it) {
        if (messages_.contains(it.key())) continue;
        if (it.key().startsWith("runs")) runErrors << it.key() + ": " + it.value();
        else general << (it.key().isEmpty() ? it.value() : it.key() + ": " + it.value());
    }
    runsMessage_->setText(runErrors.join('\n'));
    runsMessage_->setVisible(!runErrors.isEmpty());
    generalMessage_->setText(general.isEmpty() ? QString()
                                               : tr("Not applied, the last valid settings stay in use:") + "\n" + general.join('\n'));
    generalMessage_->setVisible(!general.isEmpty());
    if (!errors_.isEmpty() && general.isEmpty()) {
        generalMessage_->setText(tr("Not applied: fix the field marked in red; the last valid settings stay in use."));
        generalMessage_->setVisible(true);
    }
}

QStringList ExperimentPanel::errors() const {
    QStringList out;
    for (auto it = errors_.begin(); it != errors_.end(); ++it) out << it.key() + ": " + it.value();
    return out;
}

void ExperimentPanel::setLocked(bool locked) {
    locked_ = locked;
    form_->setEnabled(!locked);
    overrides_->setReadOnly(locked);
    for (auto* b : {addRun_, duplicateRun_, removeRun_}) b->setEnabled(!locked);
    runs_->setEditTriggers(locked ? QAbstractItemView::NoEditTriggers
                                  : QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
}

void ExperimentPanel::currentRunChanged() {
    const int row = runs_->currentRow();
    const bool was = filling_;
    filling_ = true;
    overrides_->setPlainText(row >= 0 && row < runEdits_.size() ? QString::fromStdString(runEdits_[row].overrides.dump(2))
                                                                 : QString());
    filling_ = was;
    removeRun_->setEnabled(!locked_ && runEdits_.size() > 1);
}

void ExperimentPanel::overridesEdited() {
    if (filling_) return;
    const int row = runs_->currentRow();
    if (row < 0 || row >= runEdits_.size()) return;
    try {
        const nlohmann::json o = nlohmann::json::parse(overrides_->toPlainText().toStdString());
        if (!o.is_object()) throw std::runtime_error("the overrides must be a JSON object");
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key() != "model" && it.key() != "train")
                throw std::runtime_error("only \"model\" and \"train\" can be overridden, not \"" + it.key() + "\"");
        runEdits_[row].overrides = o;
        revalidate();
    } catch (const std::exception& e) {
        errors_.insert(QString("runs[%1]").arg(row), tr("the overrides are not valid JSON: %1").arg(QString::fromStdString(e.what())));
        showErrors();
    }
}

QString ExperimentPanel::uniqueRunName(const QString& base) const {
    QString name = base;
    for (int k = 2;; ++k) {
        bool taken = false;
        for (const RunEdit& r : runEdits_) taken = taken || r.name.compare(name, Qt::CaseInsensitive) == 0;
        if (!taken) return name;
        name = QString("%1 (%2)").arg(base).arg(k);
    }
}

void ExperimentPanel::appendRun(const QString& name, const nlohmann::json& overrides) {
    runEdits_.append({name, overrides});
    auto* item = new QListWidgetItem(name);
    item->setFlags(item->flags() | Qt::ItemIsEditable);
    filling_ = true;
    runs_->addItem(item);
    filling_ = false;
    runs_->setCurrentRow(runs_->count() - 1);
    revalidate();
}

void ExperimentPanel::addRun() {
    appendRun(uniqueRunName(tr("Run %1").arg(runEdits_.size() + 1)), nlohmann::json::object());
}

void ExperimentPanel::duplicateRun() {
    const int row = runs_->currentRow();
    if (row < 0) return;
    appendRun(uniqueRunName(runEdits_[row].name + tr(" copy")), runEdits_[row].overrides);
}

void ExperimentPanel::removeRun() {
    const int row = runs_->currentRow();
    if (row < 0 || runEdits_.size() <= 1) return;
    runEdits_.removeAt(row);
    filling_ = true;
    delete runs_->takeItem(row);
    filling_ = false;
    runs_->setCurrentRow(std::min(row, int(runEdits_.size()) - 1));
    revalidate();
}

void ExperimentPanel::runRenamed(QListWidgetItem* item) {
    if (filling_) return;
    const int row = runs_->row(item);
    if (row < 0 || row >= runEdits_.size()) return;
    runEdits_[row].name = item->text().trimmed();
    revalidate();
}

}  // namespace nsui
