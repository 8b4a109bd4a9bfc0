/**
 * The pages of middle_auth's browser flows. No inline script (CSP `script-src 'self'`): data
 * travels in a JSON block (never executed; `<` escaped so it cannot close the tag), read by a
 * script served from Tessera's own origin.
 */

function jsonBlock(id: string, value: unknown): string {
  const data = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, '');
  return `<script type="application/json" id="${id}">${data}</script>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Neuroglancer's popup: posts `{token, app_urls}` to the opener at exactly `origin`, never `*`. */
export function authorizePage(message: { token: string; app_urls: string[] }, origin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera login</title></head>
<body><main><p>You are logged in. This window closes by itself.</p></main>
${jsonBlock('middle-auth-popup', { message, origin })}
<script src="/auth/api/v1/authorize.js"></script></body></html>
`;
}

export const AUTHORIZE_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('middle-auth-popup').textContent);
  if (window.opener) window.opener.postMessage(data.message, data.origin);
  window.close();
})();
`;

/** The terms, as plain text (never rendered as HTML), and a button that accepts them. */
export function tosPage(
  terms: { id: string; title: string; text: string; datasetName: string | null; accepted: boolean },
  redirect: string,
): string {
  const dataset = terms.datasetName ? ` for the dataset ${escapeHtml(terms.datasetName)}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(terms.title)} · Tessera</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
pre{white-space:pre-wrap;border:1px solid #888;padding:1rem;max-height:60vh;overflow:auto}
button{font-size:1rem;padding:.5rem 1.25rem}#tos-status{min-height:1.5em}</style></head>
<body><main>
<h1>${escapeHtml(terms.title)}</h1>
<p>Terms of service${dataset}. ${terms.accepted ? 'You have accepted them.' : 'Read them, then accept them to continue.'}</p>
<pre id="tos-text">${escapeHtml(terms.text)}</pre>
<button type="button" id="tos-accept">${terms.accepted ? 'Continue' : 'Accept'}</button>
<p id="tos-status" role="status"></p>
</main>
${jsonBlock('middle-auth-tos', { id: terms.id, redirect })}
<script src="/auth/api/v1/tos-accept.js"></script></body></html>
`;
}

export const TOS_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('middle-auth-tos').textContent);
  var button = document.getElementById('tos-accept');
  var status = document.getElementById('tos-status');
  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = 'Accepting…';
    fetch('/api/v1/tos/' + encodeURIComponent(data.id) + '/accept', { method: 'POST', credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('the terms could not be accepted (' + response.status + ')');
        window.location.assign(data.redirect);
      })
      .catch(function (error) {
        status.textContent = error.message;
        button.disabled = false;
      });
  });
})();
`;
