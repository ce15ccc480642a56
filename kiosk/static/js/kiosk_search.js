/* Item search of the kiosk: by Chinese name, pinyin initials (bdc → 不动产…), full pinyin or English name.
   The server sends each item's "initials" and "pinyin" (server/search_keys.py: lower case letters and
   digits only); what is typed is read the same way — full-width letters from a Chinese input method
   made ASCII, case, spaces and apostrophes ("bu dong chan", "xi'an") ignored — so here we only compare
   strings. */
(function (global) {
  "use strict";

  function normalise(text) {
    return String(text || "").normalize("NFKC").trim().toLowerCase().replace(/[\s·•,，、]+/g, "");
  }

  // Latin text as a pinyin key, or null when the query has Chinese (or anything else) in it.
  function pinyinKey(query) {
    if (!/^[\x21-\x7e]+$/.test(query)) return null;
    return query.replace(/[^a-z0-9]/g, "") || null;
  }

  // Lower is better; -1 means no match.
  function rank(service, query) {
    const key = pinyinKey(query);
    if (key !== null) {
      if (service.initials.startsWith(key)) return 0;
      if (service.initials.includes(key)) return 1;
      if (service.pinyin.startsWith(key)) return 2;
      if (service.pinyin.includes(key)) return 3;
      if (normalise(service.name_en).includes(query)) return 4;
      if (normalise(service.name).includes(query)) return 4;
      return -1;
    }
    const name = normalise(service.name);
    if (name.startsWith(query)) return 0;
    if (name.includes(query)) return 1;
    if (normalise(service.name_en).includes(query)) return 2;
    if (normalise(service.department_name).includes(query)) return 5;
    return -1;
  }

  function searchServices(services, text, limit) {
    const query = normalise(text);
    if (!query) return [];
    const found = [];
    services.forEach(function (service, index) {
      const score = rank(service, query);
      if (score >= 0) found.push({ service: service, score: score, index: index });
    });
    found.sort(function (a, b) {
      return a.score - b.score
        || Number(b.service.available) - Number(a.service.available)
        || a.index - b.index;
    });
    return found.slice(0, limit || 40).map(function (entry) { return entry.service; });
  }

  global.KioskSearch = { normalise: normalise, searchServices: searchServices };
})(window);
