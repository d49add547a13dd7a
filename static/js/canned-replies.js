// "Insert" a canned reply into the reply box without leaving the page: its text, filled for this ticket
// (tickets:canned_fill), goes in where the cursor is, and what follows it (a status, minutes logged) rides
// with the reply as hidden fields, said in a line under the box. Without this script the form loads the
// page again with the reply box filled (?canned=).
(function () {
  "use strict";
  var picker = document.querySelector("form[data-canned-insert]");
  var body = document.getElementById("id_reply-body");
  if (!picker || !body || !window.fetch) return;
  var replyForm = body.form;

  function hidden(name, value) {
    var input = replyForm.querySelector("input[type=hidden][name='" + name + "']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      replyForm.appendChild(input);
    }
    input.value = value;
  }

  picker.addEventListener("submit", function (event) {
    var choice = picker.querySelector("select");
    if (!choice || !choice.value || replyForm.querySelector("select[name='reply-then']")) return;
    event.preventDefault();
    var url = picker.dataset.cannedInsert.replace(/\/0\/$/, "/" + encodeURIComponent(choice.value) + "/");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (reply) {
        var start = body.selectionStart || 0;
        var end = body.selectionEnd || 0;
        body.value = body.value.slice(0, start) + reply.text + body.value.slice(end);
        body.focus();
        body.selectionStart = body.selectionEnd = start + reply.text.length;
        hidden("reply-canned", reply.id);
        hidden("reply-then", reply.then);
        hidden("reply-minutes", reply.minutes);
        var note = document.getElementById("canned-follows");
        if (note) note.textContent = reply.follows || "";
      })
      .catch(function () {
        picker.submit();
      });
  });
})();
