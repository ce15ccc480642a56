/*
 * The language of the case pages (the phone's tracking page, the back office, the documents' toolbar):
 * Chinese first, English on a tap of the "English" / "中文" toggle, remembered on this device. A page
 * gives its TEXT table — {zh: {...}, en: {...}} with the same keys, as the booking page has — and gets:
 *
 *   const lang = CaseLanguage.create(TEXT, { storageKey: "yichuang.tracking.lang", onChange: render });
 *   lang.t("days_left", { days: 3 });   // TEXT[current].days_left with {days} filled
 *   lang.name(service);                 // service.name_en in English when the layout gives one, else name
 *   lang.locale;                        // "zh-CN" or "en-GB", for Intl formats
 *
 * Nodes with data-i18n="key" get the text of the key, data-i18n-placeholder their placeholder; the
 * button #lang-toggle (its text: the key `switch`) changes the language and calls onChange.
 */
(function (root) {
  "use strict";

  const LANGUAGES = ["zh", "en"];

  function stored(key) {
    try {
      const value = root.localStorage.getItem(key);
      return LANGUAGES.includes(value) ? value : "zh";
    } catch (error) {
      return "zh"; // private mode: Chinese first
    }
  }

  function create(texts, options) {
    // markPage: false keeps <html lang> (the documents page: its sheet stays Chinese whatever the toolbar says).
    const settings = Object.assign({ toggle: "lang-toggle", onChange: null, markPage: true }, options || {});
    let current = settings.storageKey ? stored(settings.storageKey) : "zh";

    const lang = {
      get code() { return current; },
      get en() { return current === "en"; },
      get locale() { return current === "en" ? "en-GB" : "zh-CN"; },
      t(key, vars) {
        const text = texts[current][key] ?? texts.zh[key] ?? key;
        return PageKit.fill(text, vars || {});
      },
      word(group, code) { // an entry of a table in TEXT (e.g. delivery ways), the code itself if unknown
        const table = texts[current][group] || texts.zh[group] || {};
        return table[code] ?? String(code);
      },
      name(entry, fallback) {
        if (!entry) return fallback ?? "";
        return (current === "en" && entry.name_en) ? entry.name_en : (entry.name ?? fallback ?? "");
      },
      set(code) {
        if (!LANGUAGES.includes(code)) return;
        current = code;
        if (settings.storageKey) {
          try {
            root.localStorage.setItem(settings.storageKey, code);
          } catch (error) { /* not remembered; the page still switches */ }
        }
        apply();
        if (settings.onChange) settings.onChange(code);
      },
      apply,
    };

    function apply() {
      if (settings.markPage) document.documentElement.lang = current === "en" ? "en" : "zh-CN";
      document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = lang.t(node.dataset.i18n); });
      document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
        node.placeholder = lang.t(node.dataset.i18nPlaceholder);
      });
      const toggle = document.getElementById(settings.toggle);
      if (toggle) {
        toggle.textContent = lang.t("switch");
        toggle.lang = current === "en" ? "zh-CN" : "en";
      }
    }

    const toggle = document.getElementById(settings.toggle);
    if (toggle) toggle.addEventListener("click", () => lang.set(current === "zh" ? "en" : "zh"));
    apply();
    return lang;
  }

  root.CaseLanguage = { create };
})(typeof window !== "undefined" ? window : globalThis);
