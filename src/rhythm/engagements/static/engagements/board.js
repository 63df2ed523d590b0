// The engagement board: drag a card to another column and the server decides.
// A move the rules refuse snaps back, with the reason shown above the board; a
// move they accept reloads both columns, so counts and badges tell the truth.
(function () {
  var board = document.getElementById("board");
  if (!board || !window.Sortable) return;
  var message = document.getElementById("board-message");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function show(text, ok, url) {
    message.textContent = text;
    message.className = "alert " + (ok ? "alert-success" : "alert-warning");
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.className = "alert-link ms-1";
      link.textContent = url.indexOf("/ctas/") === 0 ? "Open the CTA" : "Open the request";
      link.dataset.testid = "board-message-link";
      message.append(" ", link);
    }
  }

  function snapBack(event) {
    var home = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(event.item, home);
  }

  function reload(column) {
    if (window.htmx) htmx.ajax("GET", column.getAttribute("hx-get"), { target: column, swap: "innerHTML" });
  }

  board.querySelectorAll(".board-column").forEach(function (column) {
    Sortable.create(column, {
      group: "board",
      draggable: ".board-card",
      animation: 150,
      onAdd: function (event) {
        var card = event.item;
        card.classList.add("opacity-50");
        var body = new URLSearchParams({ card: card.dataset.card, column: column.dataset.column });
        fetch(board.dataset.moveUrl, {
          method: "POST",
          headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
          body: body,
          credentials: "same-origin",
        })
          .then(function (response) {
            return response.json().catch(function () {
              return { ok: false, message: "The move could not be saved (" + response.status + "); try again." };
            });
          })
          .then(function (result) {
            card.classList.remove("opacity-50");
            show(result.message, result.ok, result.url);
            if (result.ok) {
              reload(event.from);
              reload(column);
            } else {
              snapBack(event);
            }
          })
          .catch(function () {
            card.classList.remove("opacity-50");
            show("The move could not be saved; try again.", false);
            snapBack(event);
          });
      },
    });
  });
})();
