/* 好差评 on the phone status page (一次一评 online): once the ticket is served the page offers the rating form
   (server/static/js/rating_form.js), the same as the window's pad; a ticket rated already — here or on the pad,
   whichever came first — says so. It follows the ticket the page shows (status.js announces each render). */
(function () {
  "use strict";

  const { $ } = PageKit;
  const box = $("rating");
  let shownFor = null; // "<ticket id>:<status>" last looked at
  let ticketId = null;
  let formView = null;

  function said(rating, form) {
    const level = (form.levels || []).find((item) => item.level === rating.level);
    return `您已评价：${level ? level.name : rating.level}。感谢您的参与！`;
  }

  function showRated(text) {
    box.hidden = false;
    $("rating-form").replaceChildren();
    formView = null;
    $("rating-title").textContent = "服务评价";
    $("rating-note").textContent = text;
    box.dataset.state = "rated";
  }

  function showForm(state) {
    box.hidden = false;
    box.dataset.state = "open";
    $("rating-title").textContent = "请您对本次服务进行评价";
    $("rating-note").textContent = "评价为匿名；如需回访，可在差评时留下手机号。";
    formView = RatingForm.build({
      form: state.form, askPhone: true,
      async onSubmit(rating) {
        try {
          await RatingForm.send("/api/v1", state.ticket, rating, "phone");
        } catch (failure) {
          if (failure.code === "already_rated") return look(state.ticket, true);
          throw failure;
        }
        const bad = state.form.bad_levels.includes(rating.level);
        showRated(bad ? "感谢您的评价！我们会认真整改，并在期限内处理。" : "感谢您的评价！");
      },
    });
    $("rating-form").replaceChildren(formView.node);
  }

  async function look(id, force) {
    let response;
    try {
      response = await fetch(`/api/v1/tickets/${encodeURIComponent(id)}/rating`, { cache: "no-store" });
    } catch (error) {
      return;
    }
    if (!response.ok || id !== ticketId) return;
    const state = await response.json();
    if (state.rating) {
      // Already saying so (this page's own thanks, or an earlier look): keep the words shown.
      if (box.dataset.state !== "rated") showRated(said(state.rating, state.form));
    }
    else if (state.rateable && (force || box.dataset.state !== "open")) showForm(state);
    else if (!state.rateable) box.hidden = true;
  }

  document.addEventListener("ticket-rendered", (event) => {
    const ticket = event.detail;
    const key = `${ticket.id}:${ticket.status}`;
    if (key === shownFor) return;
    shownFor = key;
    ticketId = ticket.id;
    if (ticket.status === "done") look(ticket.id, false);
    else box.hidden = true;
  });

  function listen() {
    const page = window.ticketPage;
    const socket = page && page.stream && page.stream.socket;
    if (!socket) return;
    socket.on("rated", (payload) => {
      // Rated on the pad meanwhile: the form gives way (rated here: look() keeps the page's thanks).
      if (payload && payload.ticket === ticketId) look(ticketId, true);
    });
  }

  listen();
  const current = window.ticketPage && window.ticketPage.ticket();
  if (current) document.dispatchEvent(new CustomEvent("ticket-rendered", { detail: current }));
})();
