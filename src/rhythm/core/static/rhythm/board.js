// The engagement board: drag a card to another column and the server decides.
// A move the rules refuse snaps back, with the reason shown above the board.
(function () {
  var board = document.getElementById("board");
  if (!board || !window.Sortable) return;
  var message = document.getElementById("board-message");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function show(text, ok) {
    message.textContent = text;
    message.className = "alert " + (ok ? "alert-success" : "alert-warning");
  }

  board.querySelectorAll(".board-column").forEach(function (column) {
    Sortable.create(column, {
      group: "board",
      draggable: ".board-card",
      animation: 150,
      onAdd: function (event) {
        var card = event.item;
        var body = new URLSearchParams({ card: card.dataset.card, column: column.dataset.column });
        fetch(board.dataset.moveUrl, {
          method: "POST",
          headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
          body: body,
          credentials: "same-origin",
        })
          .then(function (response) { return response.json(); })
          .then(function (result) {
            show(result.message, result.ok);
            if (!result.ok) event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
          })
          .catch(function () {
            show("The move could not be saved; try again.", false);
            event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
          });
      },
    });
  });
})();
