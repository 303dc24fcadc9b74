// Typed settings: every key with its type and default in one place (after Tiled's preferences).
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace nsui::settings {

template <class T>
struct Key {
    const char* name;
    T fallback;
    T get() const {
        QSettings s;
        const QVariant v = s.value(QLatin1String(name));
        return v.isValid() ? v.value<T>() : fallback;
    }
    void set(const T& value) const {
        QSettings s;
        s.setValue(QLatin1String(name), QVariant::fromValue(value));
    }
};

inline const Key<QByteArray> windowGeometry{"window/geometry", {}};
inline const Key<QByteArray> windowState{"window/state", {}};
inline const Key<int> currentTab{"window/currentTab", 0};
inline const Key<QStringList> recentFiles{"files/recent", {}};
inline const Key<QString> lastDirectory{"files/lastDirectory", {}};
// The last experiment, as the JSON text of a file (restored at the next start).
inline const Key<QString> lastExperimentJson{"files/lastExperimentJson", {}};
inline const Key<QString> lastExperimentPath{"files/lastExperimentPath", {}};
inline const Key<int> threads{"training/threads", 0};  // 0 = every core
inline const Key<QString> language{"view/language", QString()};  // "" = follow the system

inline constexpr int kMaxRecentFiles = 8;

}  // namespace nsui::settings
