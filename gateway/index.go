package gateway

// indexHTML is the small web page served at /: pick a file, see the report.
const indexHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Athena</title>
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:1rem;overflow:auto;max-height:70vh}
.v{font-weight:bold}.VERDICT_MALICIOUS{color:#b00}.VERDICT_SUSPICIOUS{color:#b60}.VERDICT_CLEAN{color:#070}</style></head>
<body><h1>Athena</h1>
<p>Analyze a file. The page posts it to <code>POST /v1/analyses</code>; the API is described at
<a href="/openapi.json">/openapi.json</a>.</p>
<form id="f"><input type="file" id="file" required> <label>API key <input id="key" type="password" size="20"></label>
<label><input type="checkbox" id="bypass"> bypass cache</label> <button>Analyze</button></form>
<p id="summary"></p><pre id="out"></pre>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = document.getElementById('file').files[0];
  const buf = new Uint8Array(await file.arrayBuffer());
  let bin = ''; for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
  const headers = {'Content-Type': 'application/json'};
  const key = document.getElementById('key').value; if (key) headers['Authorization'] = 'Bearer ' + key;
  document.getElementById('summary').textContent = 'analyzing…';
  const res = await fetch('/v1/analyses', {method: 'POST', headers,
    body: JSON.stringify({sample: {content: btoa(bin), filename: file.name}, options: {bypassCache: document.getElementById('bypass').checked}})});
  const body = await res.json();
  const s = document.getElementById('summary');
  if (!res.ok) { s.textContent = 'error ' + res.status + ': ' + body.message; } else {
    s.innerHTML = '';
    const v = document.createElement('span'); v.className = 'v ' + body.verdict; v.textContent = body.verdict;
    s.append(v, ' score ' + body.score + ' · ' + body.sample.fileType + ' · ' + body.findings.length + ' findings');
  }
  document.getElementById('out').textContent = JSON.stringify(body, null, 2);
});
</script></body></html>
`
