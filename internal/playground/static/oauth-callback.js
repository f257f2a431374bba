// The page the authorization server redirects the sign-in popup to
// (/_playground/oauth-callback.html?code=...&state=...). It hands the
// answer to the playground page that opened the popup, which checks the
// state and exchanges the code (auth.js), then closes itself.
//
// The answer goes by postMessage to window.opener, addressed to this
// origin only, so no other site's page can read the code; the opener
// accepts it only from this origin and from its own popup. When the
// opener is gone (a provider page severed it with
// Cross-Origin-Opener-Policy), a BroadcastChannel, which only pages of
// this origin share, carries it instead.

const CALLBACK_MESSAGE = "gati-oauth-callback"; // as in auth.js
const CALLBACK_CHANNEL = "gati-oauth";

const params = new URLSearchParams(location.search);
const answer = { type: CALLBACK_MESSAGE };
for (const k of ["code", "state", "error", "error_description"]) {
  if (params.has(k)) answer[k] = params.get(k);
}
// Keep the code out of the history and of anything this page loads.
history.replaceState(null, "", location.pathname);

let sent = false;
if (window.opener && !window.opener.closed) {
  try {
    window.opener.postMessage(answer, location.origin);
    sent = true;
  } catch { /* the opener navigated away */ }
}
if (typeof BroadcastChannel === "function") {
  const ch = new BroadcastChannel(CALLBACK_CHANNEL);
  ch.postMessage(answer);
  ch.close();
  sent = true;
}

const message = document.getElementById("message");
if (!answer.state) {
  document.body.dataset.state = "error";
  message.textContent = "This page finishes a playground sign-in; it was opened without one.";
} else if (!sent) {
  document.body.dataset.state = "error";
  message.textContent = "The playground window that started this sign-in is gone: start again from the playground.";
} else {
  document.body.dataset.state = "done";
  message.textContent = answer.error
    ? `Sign-in refused: ${answer.error}${answer.error_description ? ": " + answer.error_description : ""}. You can close this window.`
    : "Signed in. This window closes itself; you can close it.";
  setTimeout(() => window.close(), 100);
}
