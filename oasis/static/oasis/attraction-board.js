// The attraction kanban: drag a card to another column to move the lead to that stage.
// Posts to the lead's move URL (the same endpoint as the detail page's form), then asks
// htmx to re-render the board. Lost needs a reason, asked with a prompt.
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function showError(board, text) {
    var el = board.querySelector(".board-error");
    if (!el) return;
    el.textContent = text;
    el.hidden = !text;
  }

  function refresh(board) {
    var url = board.dataset.refreshUrl;
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: "#board", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function move(board, leadId, stage) {
    var body = new URLSearchParams();
    body.set("stage", stage);
    if (stage === "lost") {
      var reason = window.prompt(board.dataset.lostPrompt || "Reason:");
      if (!reason) return;
      body.set("reason", reason);
    }
    var url = board.dataset.moveUrl.replace("/0/", "/" + leadId + "/");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch",
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (resp) {
      if (resp.ok) { refresh(board); return null; }
      return resp.text().then(function (text) { showError(board, text || resp.statusText); });
    }).catch(function (err) { showError(board, String(err)); });
  }

  // Delegated listeners on the document: the board is swapped by htmx, the document is not.
  document.addEventListener("dragstart", function (ev) {
    var card = ev.target.closest && ev.target.closest(".lead-card[draggable=true]");
    if (!card) return;
    ev.dataTransfer.setData("text/plain", card.dataset.lead);
    ev.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  document.addEventListener("dragend", function (ev) {
    var card = ev.target.closest && ev.target.closest(".lead-card");
    if (card) card.classList.remove("dragging");
    document.querySelectorAll(".board-col.drop-over").forEach(function (c) { c.classList.remove("drop-over"); });
  });
  document.addEventListener("dragover", function (ev) {
    var col = ev.target.closest && ev.target.closest(".board-col");
    if (!col) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    col.classList.add("drop-over");
  });
  document.addEventListener("dragleave", function (ev) {
    var col = ev.target.closest && ev.target.closest(".board-col");
    if (col && !col.contains(ev.relatedTarget)) col.classList.remove("drop-over");
  });
  document.addEventListener("drop", function (ev) {
    var col = ev.target.closest && ev.target.closest(".board-col");
    if (!col) return;
    ev.preventDefault();
    col.classList.remove("drop-over");
    var board = col.closest(".board");
    var leadId = ev.dataTransfer.getData("text/plain");
    var card = board.querySelector('.lead-card[data-lead="' + CSS.escape(leadId) + '"]');
    if (!leadId || !card || card.closest(".board-col") === col) return;
    showError(board, "");
    move(board, leadId, col.dataset.stage);
  });
  // For tests and keyboard users' scripts: window.oasisBoardMove(leadId, stage).
  window.oasisBoardMove = function (leadId, stage) {
    var board = document.getElementById("board");
    if (board) move(board, String(leadId), stage);
  };
})();
