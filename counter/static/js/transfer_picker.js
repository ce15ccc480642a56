/*
 * The transfer dialog's list of items: filtered as the clerk types (name, department, id, or
 * pinyin — full or initials), moved through with the arrow keys, chosen with Enter or a click.
 */
(function (root) {
  "use strict";

  const SHOWN = 60;

  // Latin text typed, as the server writes its pinyin keys (server/search_keys.py): full-width letters
  // made ASCII, lower case, letters and digits only; null for text with Chinese in it (matched by name).
  function searchKey(text) {
    const latin = text.normalize("NFKC").toLowerCase();
    if (!/^[\x21-\x7e]+$/.test(latin)) return null;
    return latin.replace(/[^a-z0-9]/g, "") || null;
  }

  class TransferPicker {
    constructor({ dialog, form, search, list, cancel, onChoose }) {
      this.dialog = dialog;
      this.search = search;
      this.list = list;
      this.onChoose = onChoose;
      this.services = [];
      this.keys = {};
      this.matches = [];
      this.highlighted = 0;
      search.addEventListener("input", () => this._filter());
      search.addEventListener("keydown", (event) => this._key(event));
      list.addEventListener("click", (event) => {
        const item = event.target.closest("li[data-index]");
        if (!item) return;
        this.highlighted = Number(item.dataset.index);
        this._render();
      });
      list.addEventListener("dblclick", () => this._choose());
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this._choose();
      });
      cancel.addEventListener("click", () => this.close());
    }

    get isOpen() {
      return this.dialog.open;
    }

    // services: the layout's services; keys: id -> {initials, full}; current: the ticket's service id
    open(services, keys, current) {
      this.services = services.filter((service) => service.id !== current);
      this.keys = keys || {};
      this.search.value = "";
      this._filter();
      this.dialog.showModal();
      this.search.focus();
    }

    close() {
      if (this.dialog.open) this.dialog.close();
    }

    _matches(service, text) {
      if (!text) return true;
      const keys = this.keys[service.id] || {};
      const key = searchKey(text);
      return (
        service.name.includes(text) ||
        (service.department_name || "").includes(text) ||
        service.id.toLowerCase().includes(text.toLowerCase()) ||
        (key !== null && ((keys.initials || "").includes(key) || (keys.full || "").includes(key)))
      );
    }

    _filter() {
      const text = this.search.value.trim().replace(/\s+/g, "");
      this.matches = this.services.filter((service) => this._matches(service, text));
      // names that start with what was typed (or whose initials do) come first
      const key = searchKey(text);
      const starts = (service) =>
        service.name.startsWith(text) || (key !== null && ((this.keys[service.id] || {}).initials || "").startsWith(key));
      this.matches.sort((a, b) => Number(starts(b)) - Number(starts(a)));
      this.highlighted = 0;
      this._render();
    }

    _render() {
      const shown = this.matches.slice(0, SHOWN);
      if (shown.length === 0) {
        const empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = "没有匹配的事项";
        this.list.replaceChildren(empty);
        return;
      }
      this.list.replaceChildren(
        ...shown.map((service, index) => {
          const item = document.createElement("li");
          item.dataset.index = index;
          item.dataset.service = service.id;
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", String(index === this.highlighted));
          const name = document.createElement("span");
          name.className = "name";
          name.textContent = service.name;
          const department = document.createElement("span");
          department.className = "department";
          department.textContent = service.available === false ? `${service.department_name}（今日不可办理）` : service.department_name;
          item.append(name, department);
          return item;
        }),
      );
      const chosen = this.list.querySelector('[aria-selected="true"]');
      if (chosen) chosen.scrollIntoView({ block: "nearest" });
    }

    _key(event) {
      const count = Math.min(this.matches.length, SHOWN);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (count === 0) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.highlighted = (this.highlighted + step + count) % count;
        this._render();
      }
    }

    _choose() {
      const service = this.matches[this.highlighted];
      if (!service) return;
      this.close();
      this.onChoose(service);
    }
  }

  root.TransferPicker = TransferPicker;
})(typeof window !== "undefined" ? window : globalThis);
