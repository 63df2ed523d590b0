// The engagement board: drag a card to another column and the server decides.
// A move it accepts reloads the board, so counts, lanes and limits tell the truth;
// a move it refuses puts the card back where it was and says why, with the moves
// the viewer may make from there: made here when they need nothing more, or a link
// to the card's page, whose form asks what they need.
(function () {
  var body = document.getElementById("board-body");
  if (!body) return;
  var message = document.getElementById("board-message");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // The filters apply as they change; the Apply button is for a page without script.
  var filters = document.querySelector("[data-board-filters]");
  if (filters) {
    filters.querySelectorAll(".board-apply").forEach(function (button) { button.hidden = true; });
    filters.addEventListener("change", function () { filters.requestSubmit(); });
  }

  // The board fills the window below where it starts.
  function fit() {
    var board = body.querySelector(".board");
    if (board) board.style.setProperty("--board-top", board.getBoundingClientRect().top + window.scrollY + "px");
  }
  window.addEventListener("resize", fit);

  function say(text, ok) {
    message.replaceChildren(document.createTextNode(text));
    message.className = "alert board-message " + (ok ? "alert-success" : "alert-warning");
    message.dataset.state = ok ? "moved" : "refused";
    fit();
  }

  // What the viewer may do instead: each offered move, on the board or on its page.
  function offer(result, card) {
    var moves = result.moves || [];
    if (result.url && !moves.some(function (m) { return m.url === result.url; })) {
      moves = [{ label: result.url.indexOf("/ctas/") === 0 ? "Open the CTA" : "Open the request", url: result.url, column: "" }].concat(moves);
    }
    var box = document.createElement("span");
    box.className = "board-offers";
    box.dataset.testid = "board-offers";
    var lead = document.createElement("span");
    lead.textContent = moves.length ? "You may:" : "None of its next moves is yours.";
    box.append(lead);
    moves.forEach(function (m) {
      var control;
      if (m.url) {
        control = document.createElement("a");
        control.href = m.url;
        control.className = "btn btn-sm btn-outline-primary";
        control.textContent = m.column ? m.label + " (" + m.column + ") on its page" : m.label;
      } else {
        control = document.createElement("button");
        control.type = "button";
        control.className = "btn btn-sm btn-primary";
        control.textContent = m.label + " (" + m.column + ")";
        control.addEventListener("click", function () { send(card, m.to); });
      }
      control.dataset.testid = "board-offer";
      control.dataset.to = m.to || "";
      box.append(control);
    });
    message.append(" ", box);
    fit();  // the message grew: the board starts lower
  }

  function reload() {
    var board = body.querySelector(".board");
    var query = board ? board.dataset.query : "";
    return htmx.ajax("GET", body.dataset.boardUrl + (query ? "?" + query : ""), { target: body, swap: "innerHTML" });
  }

  // Post a move; `card` is the card's element, wherever it is now.
  function send(card, column, putBack) {
    card.classList.add("opacity-50");
    var form = new URLSearchParams({ card: card.dataset.card, column: column, from: card.dataset.state });
    return fetch(body.dataset.moveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, message: "The move could not be saved (" + response.status + "); try again." };
        });
      })
      .catch(function () {
        return { ok: false, message: "The move could not be saved; try again.", failed: true };
      })
      .then(function (result) {
        card.classList.remove("opacity-50");
        say(result.message, result.ok);
        if (result.ok) return reload();
        if (putBack) putBack();
        card.classList.add("is-refused");
        if (!result.failed) offer(result, card);
      });
  }

  function arm(root) {
    root.querySelectorAll(".board-cell").forEach(function (cell) {
      if (cell.dataset.armed) return;
      cell.dataset.armed = "1";
      var board = cell.closest(".board");
      Sortable.create(cell, {
        // A card moves between the columns of its own lane: a lane is whose work it
        // is (or where), which a move of state does not change.
        group: { name: "lane-" + cell.dataset.lane, pull: true, put: true },
        draggable: ".board-card",
        filter: ".board-more",
        preventOnFilter: false,
        animation: still ? 0 : 150,
        onStart: function (event) {
          board.classList.add("is-dragging");
          board.querySelectorAll('.board-cell[data-lane="' + CSS.escape(cell.dataset.lane) + '"]').forEach(function (c) {
            if (c !== event.from) c.classList.add("is-target");
          });
          board.querySelectorAll(".is-refused").forEach(function (c) { c.classList.remove("is-refused"); });
        },
        onEnd: function () {
          board.classList.remove("is-dragging");
          board.querySelectorAll(".is-target").forEach(function (c) { c.classList.remove("is-target"); });
        },
        onAdd: function (event) {
          var from = event.from, index = event.oldIndex, card = event.item;
          send(card, cell.dataset.column, function () {
            from.insertBefore(card, from.children[index] || null);
          });
        },
      });
    });
  }

  if (window.Sortable) arm(body);
  fit();
  // After a reload (or a cell's "Load more"), the new cells are armed too.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (body.contains(event.detail.elt) || event.detail.elt === body) {
      if (window.Sortable) arm(body);
      fit();
    }
  });
})();
