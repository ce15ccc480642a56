/* The printable document: its button prints; ?print=1 (the counter opens it so) prints at once. The
   toolbar around it speaks English on its switch; the document itself stays Chinese (an official one). */
(function () {
  "use strict";
  const TEXT = {
    zh: { switch: "English", print: "打印", hint: "A4 纵向；打印后请申请人签收，窗口留存一份。", official: "" },
    en: {
      switch: "中文", print: "Print", hint: "A4 portrait. After printing, the applicant signs; the window keeps a copy.",
      official: "The document itself is official and stays in Chinese.",
    },
  };
  const official = document.querySelector(".official");
  const lang = CaseLanguage.create(TEXT, {
    storageKey: "yichuang.documents.lang",
    markPage: false,
    onChange: () => { official.hidden = !lang.en; },
  });
  official.hidden = !lang.en;
  document.getElementById("print").addEventListener("click", () => window.print());
  if (new URLSearchParams(window.location.search).get("print") === "1") {
    window.addEventListener("load", () => setTimeout(() => window.print(), 300));
  }
})();
