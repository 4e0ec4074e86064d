// The emulated Windows Script Host / ActiveX / browser environment. It is evaluated once per
// analysis as a function expression and called with the Go hooks object h, so the hooks are
// reachable only through this closure and a sample cannot call or replace them.
(function (h) {
  "use strict";
  var G = globalThis;
  var origEval = G.eval;
  var OrigFunction = G.Function;

  function str(v) {
    if (v === undefined || v === null) return "";
    try { return String(v); } catch (e) { return "[object]"; }
  }

  // COM members are case-insensitive: a Proxy maps any spelling to the canonical member and
  // logs members the emulation does not know, which tells an analyst what the script expected.
  function com(name, impl) {
    var lower = {};
    Object.keys(impl).forEach(function (k) { lower[k.toLowerCase()] = k; });
    return new Proxy(impl, {
      get: function (t, k) {
        if (k in t) return t[k];
        if (typeof k === "string") {
          var c = lower[k.toLowerCase()];
          if (c !== undefined) return t[c];
          if (k !== "then" && k !== "toJSON") h.log("unknown_member", name, k);
        }
        return undefined;
      },
      set: function (t, k, v) {
        if (typeof k === "string") {
          var c = lower[k.toLowerCase()];
          if (c !== undefined) k = c; else lower[k.toLowerCase()] = k;
        }
        t[k] = v;
        return true;
      }
    });
  }

  var env = {
    TEMP: "C:\\Users\\admin\\AppData\\Local\\Temp",
    TMP: "C:\\Users\\admin\\AppData\\Local\\Temp",
    APPDATA: "C:\\Users\\admin\\AppData\\Roaming",
    LOCALAPPDATA: "C:\\Users\\admin\\AppData\\Local",
    USERPROFILE: "C:\\Users\\admin",
    USERNAME: "admin",
    COMPUTERNAME: "DESKTOP-ATHENA",
    WINDIR: "C:\\Windows",
    SYSTEMROOT: "C:\\Windows",
    SYSTEMDRIVE: "C:",
    PROGRAMDATA: "C:\\ProgramData",
    PROGRAMFILES: "C:\\Program Files",
    PUBLIC: "C:\\Users\\Public",
    COMSPEC: "C:\\Windows\\System32\\cmd.exe",
    PROCESSOR_ARCHITECTURE: "AMD64",
    OS: "Windows_NT"
  };
  function expand(s) {
    return str(s).replace(/%([^%]+)%/g, function (m, k) {
      var v = env[k.toUpperCase()];
      return v === undefined ? m : v;
    });
  }
  var special = {
    desktop: "C:\\Users\\admin\\Desktop",
    startup: "C:\\Users\\admin\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup",
    appdata: env.APPDATA,
    mydocuments: "C:\\Users\\admin\\Documents",
    templates: "C:\\Users\\admin\\AppData\\Roaming\\Microsoft\\Windows\\Templates",
    programs: "C:\\Users\\admin\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs"
  };
  var scriptName = h.scriptName;
  var scriptPath = env.TEMP + "\\" + scriptName;

  function enumerable(items) {
    var c = {
      Count: items.length,
      length: items.length,
      Item: function (i) { return items[i]; },
      item: function (i) { return items[i]; }
    };
    for (var i = 0; i < items.length; i++) c[i] = items[i];
    return c;
  }

  function textStream(path, writing) {
    var buf = "";
    return com("TextStream", {
      Write: function (s) { buf += str(s); },
      WriteLine: function (s) { buf += str(s) + "\r\n"; },
      WriteBlankLines: function (n) { for (var i = 0; i < n; i++) buf += "\r\n"; },
      ReadAll: function () { h.log("file_read", "Scripting.FileSystemObject", path); return ""; },
      ReadLine: function () { return ""; },
      AtEndOfStream: true,
      Close: function () { if (writing) h.drop("Scripting.FileSystemObject", path, buf, false); }
    });
  }

  function fileObject(path) {
    return com("File", {
      Path: path, Name: path.replace(/^.*[\\\/]/, ""), Size: 0, Attributes: 32,
      ShortPath: path,
      Delete: function () { h.del("Scripting.FileSystemObject", path); },
      Copy: function (dst) { h.log("file_copy", "Scripting.FileSystemObject", path + " -> " + str(dst)); },
      Move: function (dst) { h.log("file_move", "Scripting.FileSystemObject", path + " -> " + str(dst)); },
      OpenAsTextStream: function (mode) { return textStream(path, mode === 2 || mode === 8); },
      toString: function () { return path; }
    });
  }

  function folderObject(path) {
    return com("Folder", {
      Path: path, Name: path.replace(/^.*[\\\/]/, ""),
      Files: enumerable([]), SubFolders: enumerable([]),
      toString: function () { return path; }
    });
  }

  function fso() {
    return com("Scripting.FileSystemObject", {
      GetSpecialFolder: function (n) {
        return folderObject([env.WINDIR, env.WINDIR + "\\System32", env.TEMP][n] || env.TEMP);
      },
      BuildPath: function (a, b) { a = str(a); return a.replace(/\\$/, "") + "\\" + str(b); },
      GetTempName: function () { return "rad" + (Math.floor(h.random() * 0xfffff)).toString(16).toUpperCase() + ".tmp"; },
      FileExists: function (p) { h.log("file_exists", "Scripting.FileSystemObject", str(p)); return false; },
      FolderExists: function (p) { return true; },
      DriveExists: function () { return true; },
      CreateFolder: function (p) { h.log("folder_create", "Scripting.FileSystemObject", str(p)); return folderObject(str(p)); },
      CreateTextFile: function (p) { return textStream(expand(p), true); },
      OpenTextFile: function (p, mode) { return textStream(expand(p), mode === 2 || mode === 8); },
      DeleteFile: function (p) { h.del("Scripting.FileSystemObject", str(p)); },
      DeleteFolder: function (p) { h.log("folder_delete", "Scripting.FileSystemObject", str(p)); },
      CopyFile: function (a, b) { h.log("file_copy", "Scripting.FileSystemObject", str(a) + " -> " + str(b)); },
      MoveFile: function (a, b) { h.log("file_move", "Scripting.FileSystemObject", str(a) + " -> " + str(b)); },
      GetFile: function (p) { return fileObject(str(p)); },
      GetFolder: function (p) { return folderObject(str(p)); },
      GetFileName: function (p) { return str(p).replace(/^.*[\\\/]/, ""); },
      GetBaseName: function (p) { return str(p).replace(/^.*[\\\/]/, "").replace(/\.[^.]*$/, ""); },
      GetExtensionName: function (p) { var m = /\.([^.\\\/]*)$/.exec(str(p)); return m ? m[1] : ""; },
      GetParentFolderName: function (p) { return str(p).replace(/[\\\/][^\\\/]*$/, ""); },
      GetAbsolutePathName: function (p) { return str(p); },
      GetDrive: function () { return com("Drive", { DriveLetter: "C", SerialNumber: 1234567890, FreeSpace: 5e10, TotalSize: 1e11 }); },
      Drives: enumerable([])
    });
  }

  function shell() {
    var shortcut = function (path) {
      var sc = { TargetPath: "", Arguments: "", WorkingDirectory: "", WindowStyle: 1, IconLocation: "", Description: "" };
      sc.Save = function () {
        h.drop("WScript.Shell", str(path), "[shortcut] " + str(sc.TargetPath) + " " + str(sc.Arguments), false);
        if (sc.TargetPath) h.run("WScript.Shell.CreateShortcut", str(sc.TargetPath) + " " + str(sc.Arguments), false);
      };
      return com("WshShortcut", sc);
    };
    var envfn = function (k) { return env[str(k).toUpperCase()] || ""; };
    envfn.Item = envfn;
    var environment = function () { return envfn; };
    var folders = function (k) { return special[str(k).toLowerCase()] || env.USERPROFILE; };
    folders.Item = folders;
    return com("WScript.Shell", {
      Run: function (cmd, style, wait) { h.run("WScript.Shell", str(cmd), true); return 0; },
      Exec: function (cmd) {
        h.run("WScript.Shell", str(cmd), true);
        var empty = com("TextStream", { ReadAll: function () { return ""; }, ReadLine: function () { return ""; }, AtEndOfStream: true, Write: function () {}, Close: function () {} });
        return com("WshExec", { Status: 1, ExitCode: 0, ProcessID: 4242, StdOut: empty, StdErr: empty, StdIn: empty, Terminate: function () {} });
      },
      RegWrite: function (k, v, t) { h.reg("WScript.Shell", str(k), str(v)); },
      RegRead: function (k) {
        h.log("reg_read", "WScript.Shell", str(k));
        var e = new Error("Invalid root in registry key \"" + str(k) + "\".");
        e.number = -2147024894;
        throw e;
      },
      RegDelete: function (k) { h.log("reg_delete", "WScript.Shell", str(k)); },
      ExpandEnvironmentStrings: function (s) { return expand(s); },
      Environment: environment,
      SpecialFolders: folders,
      CreateShortcut: shortcut,
      Popup: function (s) { h.log("popup", "WScript.Shell", str(s)); return 1; },
      SendKeys: function (s) { h.log("send_keys", "WScript.Shell", str(s)); },
      AppActivate: function () { return true; },
      LogEvent: function () { return true; },
      CurrentDirectory: env.TEMP
    });
  }

  // One request object serves the MSXML2 / WinHttp / browser spellings; only the casing of
  // the members differs and com() folds it.
  function http(progid) {
    var req = { method: "GET", url: "", headers: {} };
    var o = {
      readyState: 0, status: 0, statusText: "", responseText: "", responseBody: "", response: "",
      onreadystatechange: null, onload: null, onerror: null,
      open: function (m, u) { req.method = str(m).toUpperCase(); req.url = str(u); req.headers = {}; o.readyState = 1; },
      setRequestHeader: function (k, v) { req.headers[str(k)] = str(v); },
      send: function (body) {
        var r = h.http(progid, req.method, req.url, req.headers);
        o.status = r.status; o.statusText = r.statusText;
        o.responseText = r.body; o.responseBody = r.body; o.response = r.body;
        o.readyState = 4;
        if (typeof o.onreadystatechange === "function") o.onreadystatechange();
        if (typeof o.onload === "function") o.onload();
      },
      abort: function () {},
      getResponseHeader: function () { return ""; },
      getAllResponseHeaders: function () { return ""; },
      setTimeouts: function () {}, SetTimeouts: function () {},
      waitForResponse: function () { return true; }, WaitForResponse: function () { return true; },
      setOption: function () {}, Option: function () {}, SetProxy: function () {}, SetCredentials: function () {},
      overrideMimeType: function () {}
    };
    // WinHttp spells these with a capital letter; com() resolves either, but the property
    // getters must read the live value, so Status/ResponseText are accessors.
    ["Status", "StatusText", "ResponseText", "ResponseBody"].forEach(function (k) {
      Object.defineProperty(o, k, { get: function () { return o[k.charAt(0).toLowerCase() + k.slice(1)]; }, enumerable: true });
    });
    return com(progid, o);
  }

  function stream() {
    var s = { data: "", type: 1 };
    var o = {
      Type: 1, Charset: "unicode", Mode: 3, State: 0, Position: 0, Size: 0, LineSeparator: -1, EOS: true,
      Open: function () { o.State = 1; },
      Close: function () { o.State = 0; },
      Write: function (b) { s.data += str(b); o.Size = s.data.length; o.Position = s.data.length; },
      WriteText: function (t) { s.data += str(t); o.Size = s.data.length; o.Position = s.data.length; },
      Read: function () { var d = s.data.slice(o.Position); o.Position = s.data.length; return d; },
      ReadText: function () { var d = s.data.slice(o.Position); o.Position = s.data.length; return d; },
      SaveToFile: function (p) { h.drop("ADODB.Stream", str(p), s.data, o.Type === 1); },
      LoadFromFile: function (p) { h.log("file_read", "ADODB.Stream", str(p)); },
      SetEOS: function () { s.data = s.data.slice(0, o.Position); o.Size = s.data.length; },
      CopyTo: function (other) { other.Write(s.data.slice(o.Position)); },
      Flush: function () {}
    };
    return com("ADODB.Stream", o);
  }

  function shellApp() {
    return com("Shell.Application", {
      ShellExecute: function (f, args, dir, verb) {
        h.run("Shell.Application", (str(f) + " " + str(args)).trim(), true);
        if (str(verb).toLowerCase() === "runas") h.log("elevation", "Shell.Application", str(f));
      },
      Namespace: function (p) {
        return com("Folder", {
          Self: { Path: str(p) },
          CopyHere: function (x) { h.log("file_copy", "Shell.Application", str(x) + " -> " + str(p)); },
          Items: function () { return enumerable([]); },
          ParseName: function (n) { return fileObject(str(p) + "\\" + str(n)); }
        });
      },
      Open: function (p) { h.run("Shell.Application", str(p), true); },
      Windows: function () { return enumerable([]); }
    });
  }

  function wmi(moniker) {
    var proc = com("Win32_Process", {
      Create: function (cmd) { h.run("WMI.Win32_Process", str(cmd), true); return 0; }
    });
    return com("SWbemServices", {
      ExecQuery: function (q) { h.log("wmi_query", "WMI", str(q)); return enumerable([]); },
      Get: function (cls) { h.log("wmi_get", "WMI", str(cls)); return proc; },
      InstancesOf: function (cls) { h.log("wmi_query", "WMI", str(cls)); return enumerable([]); },
      ConnectServer: function () { return wmi(moniker); }
    });
  }

  function create(progid) {
    var id = str(progid);
    h.create(id);
    var l = id.toLowerCase();
    if (l === "wscript.shell") return shell();
    if (l === "scripting.filesystemobject") return fso();
    if (l.indexOf("xmlhttp") >= 0 || l.indexOf("winhttp") >= 0) return http(id);
    if (l === "adodb.stream") return stream();
    if (l === "shell.application") return shellApp();
    if (l === "wbemscripting.swbemlocator") return wmi(id);
    if (l === "scripting.dictionary") {
      var d = {};
      return com(id, {
        Add: function (k, v) { d[k] = v; }, Item: function (k) { return d[k]; },
        Exists: function (k) { return Object.prototype.hasOwnProperty.call(d, k); },
        Keys: function () { return Object.keys(d); }, Items: function () { return Object.keys(d).map(function (k) { return d[k]; }); },
        Remove: function (k) { delete d[k]; }, RemoveAll: function () { d = {}; },
        get Count() { return Object.keys(d).length; }
      });
    }
    if (l === "msxml2.domdocument" || l.indexOf("domdocument") >= 0 || l === "microsoft.xmldom") {
      return com(id, {
        createElement: function () {
          var e = com("XMLElement", { dataType: "", text: "", nodeTypedValue: "" });
          return e;
        },
        loadXML: function () { return true; }, load: function () { return true; }
      });
    }
    return com(id, {});
  }

  var args = enumerable([]);
  args.Named = com("WshNamed", { Exists: function () { return false; }, Item: function () { return undefined; }, Count: function () { return 0; }, length: 0 });
  args.Unnamed = enumerable([]);
  args.Count = function () { return 0; };

  var stdout = com("TextStream", {
    Write: function (s) { h.log("echo", "WScript.StdOut", str(s)); },
    WriteLine: function (s) { h.log("echo", "WScript.StdOut", str(s)); },
    Close: function () {}
  });
  G.WScript = com("WScript", {
    Echo: function () { h.log("echo", "WScript", Array.prototype.map.call(arguments, str).join(" ")); },
    Sleep: function (ms) { h.sleep(Number(ms) || 0); },
    Quit: function () { h.quit(); },
    CreateObject: function (p) { return create(p); },
    GetObject: function (p) { h.create(str(p)); return wmi(str(p)); },
    ConnectObject: function () {}, DisconnectObject: function () {},
    Arguments: args,
    ScriptFullName: scriptPath,
    ScriptName: scriptName,
    Path: "C:\\Windows\\System32",
    FullName: "C:\\Windows\\System32\\wscript.exe",
    Name: "Windows Script Host",
    Version: "5.812",
    BuildVersion: 19041,
    Interactive: true,
    Timeout: 0,
    StdOut: stdout, StdErr: stdout,
    StdIn: com("TextStream", { ReadLine: function () { return ""; }, ReadAll: function () { return ""; }, AtEndOfStream: true })
  });
  G.WSH = G.WScript;
  G.ActiveXObject = function ActiveXObject(p) { return create(p); };
  G.GetObject = function GetObject(p) { h.create(str(p)); return wmi(str(p)); };
  G.CreateObject = G.ActiveXObject;
  G.Enumerator = function Enumerator(c) {
    var i = 0, n = c ? (c.Count !== undefined ? (typeof c.Count === "function" ? c.Count() : c.Count) : c.length || 0) : 0;
    this.atEnd = function () { return i >= n; };
    this.moveNext = function () { i++; };
    this.moveFirst = function () { i = 0; };
    this.item = function () { return c.Item ? c.Item(i) : c[i]; };
  };
  G.ScriptEngine = function () { return "JScript"; };
  G.ScriptEngineMajorVersion = function () { return 5; };
  G.ScriptEngineMinorVersion = function () { return 8; };
  G.ScriptEngineBuildVersion = function () { return 16384; };

  // Dynamic code: eval call sites are rewritten to pass through the layer hook, which keeps
  // direct eval's local scope (so the global eval stays the original: replacing it would turn
  // every direct eval into a global one). Function and string timers are wrapped here, and
  // Function.prototype.constructor too, so {}.constructor.constructor("…") is caught.
  var WrappedFunction = function Function() {
    var a = Array.prototype.slice.call(arguments).map(str);
    var body = a.length ? a.pop() : "";
    a.push(h.layer("Function", body, 1));
    return OrigFunction.apply(null, a);
  };
  WrappedFunction.prototype = OrigFunction.prototype;
  Object.defineProperty(OrigFunction.prototype, "constructor", { value: WrappedFunction, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(G, "Function", { value: WrappedFunction, writable: true, configurable: true, enumerable: false });

  var timers = [];
  function schedule(fn, ms, args, repeat) {
    var f = fn;
    if (typeof fn !== "function") {
      var code = h.layer("setTimeout", str(fn), 1);
      f = function () { return origEval(code); };
    }
    timers.push({ fn: f, args: args, ms: Number(ms) || 0 });
    return timers.length;
  }
  G.setTimeout = function setTimeout(fn, ms) { return schedule(fn, ms, Array.prototype.slice.call(arguments, 2), false); };
  G.setInterval = function setInterval(fn, ms) { return schedule(fn, ms, Array.prototype.slice.call(arguments, 2), true); };
  G.setImmediate = function setImmediate(fn) { return schedule(fn, 0, Array.prototype.slice.call(arguments, 1), false); };
  G.clearTimeout = G.clearInterval = G.clearImmediate = function (id) { if (timers[id - 1]) timers[id - 1].fn = null; };

  // Browser globals, minimal: enough for HTML / HTA droppers to run to their interesting part.
  var b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  // Guards on the string builders that can ask for a gigabyte in one call: the guest's
  // memory cap would end the whole instance, and the behaviour seen so far with it.
  [["repeat", function (s, a) { return s.length * (Number(a[0]) || 0); }],
   ["padStart", function (s, a) { return Number(a[0]) || 0; }],
   ["padEnd", function (s, a) { return Number(a[0]) || 0; }]].forEach(function (g) {
    var orig = String.prototype[g[0]], size = g[1], name = g[0];
    Object.defineProperty(String.prototype, name, {
      value: function () {
        var s = str(this), n = size(s, arguments);
        if (n > h.maxString) { h.limit("String.prototype." + name, n); throw new RangeError("Invalid string length"); }
        return orig.apply(s, arguments);
      }, writable: true, configurable: true, enumerable: false
    });
  });

  G.atob = function atob(s) {
    s = str(s).replace(/[\s=]/g, "");
    var out = "", bits = 0, acc = 0;
    for (var i = 0; i < s.length; i++) {
      var v = b64.indexOf(s.charAt(i));
      if (v < 0) { v = s.charAt(i) === "-" ? 62 : s.charAt(i) === "_" ? 63 : -1; }
      if (v < 0) throw new Error("InvalidCharacterError");
      acc = (acc << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 0xff); }
    }
    return out;
  };
  G.btoa = function btoa(s) {
    s = str(s); var out = "";
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      out += b64.charAt(a >> 2) + b64.charAt(((a & 3) << 4) | (b >> 4 || 0)) +
        (i + 1 < s.length ? b64.charAt(((b & 15) << 2) | (c >> 6 || 0)) : "=") +
        (i + 2 < s.length ? b64.charAt(c & 63) : "=");
    }
    return out;
  };
  function element(tag) {
    var attrs = {};
    var e = {
      tagName: str(tag).toUpperCase(), style: {}, children: [], innerHTML: "", innerText: "", textContent: "",
      setAttribute: function (k, v) { attrs[str(k).toLowerCase()] = str(v); e[str(k)] = str(v); },
      getAttribute: function (k) { return attrs[str(k).toLowerCase()]; },
      appendChild: function (c) {
        e.children.push(c);
        if (c && c.tagName === "SCRIPT" && c.src) h.http("document", "GET", str(c.src), {});
        if (c && c.tagName === "SCRIPT" && c.text) origEval(h.layer("script", str(c.text), 1));
        if (c && c.tagName === "IFRAME" && c.src) h.http("document", "GET", str(c.src), {});
        return c;
      },
      removeChild: function (c) { return c; },
      addEventListener: function () {},
      click: function () {
        if (e.href) h.log("navigate", "document", str(e.href) + (e.download ? " download=" + str(e.download) : ""));
        if (e.href && /^(https?|ftp):/i.test(str(e.href))) h.http("document", "GET", str(e.href), {});
      },
      submit: function () { if (e.action) h.http("document", "POST", str(e.action), {}); }
    };
    return e;
  }
  var body = element("body");
  var loc = { hostname: "localhost", protocol: "file:", pathname: "/" + scriptName, search: "", hash: "" };
  var href = "file:///C:/Users/admin/AppData/Local/Temp/" + scriptName;
  function navigate(u) { href = str(u); h.log("navigate", "location", href); if (/^(https?|ftp):/i.test(href)) h.http("location", "GET", href, {}); }
  Object.defineProperty(loc, "href", { get: function () { return href; }, set: navigate, enumerable: true });
  loc.assign = navigate; loc.replace = navigate; loc.reload = function () {};
  loc.toString = function () { return href; };
  var written = "";
  G.document = {
    body: body, head: element("head"), documentElement: element("html"), cookie: "", referrer: "", title: "",
    readyState: "complete", location: loc, URL: href,
    write: function () {
      var s = Array.prototype.map.call(arguments, str).join("");
      written += s;
      var codes = h.documentWrite(s);
      for (var i = 0; i < codes.length; i++) origEval(codes[i]);
    },
    writeln: function (s) { G.document.write(str(s) + "\n"); },
    createElement: element,
    createTextNode: function (t) { return { textContent: str(t) }; },
    getElementById: function (id) { var e = element("div"); e.id = str(id); return e; },
    getElementsByTagName: function (t) { return [element(t)]; },
    getElementsByClassName: function () { return []; },
    querySelector: function () { return element("div"); },
    querySelectorAll: function () { return []; },
    addEventListener: function () {},
    open: function () {}, close: function () {}
  };
  Object.defineProperty(G, "location", { get: function () { return loc; }, set: navigate, configurable: true });
  G.window = G; G.self = G; G.top = G; G.parent = G;
  G.navigator = { userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", platform: "Win32", language: "en-US", appName: "Netscape" };
  G.screen = { width: 1920, height: 1080 };
  G.console = { log: function () { h.log("echo", "console", Array.prototype.map.call(arguments, str).join(" ")); } };
  G.console.info = G.console.warn = G.console.error = G.console.debug = G.console.log;
  G.alert = function (s) { h.log("popup", "window", str(s)); };
  G.confirm = function () { return true; };
  G.prompt = function () { return ""; };
  G.addEventListener = function () {};
  G.open = function (u) { navigate(u); return G; };
  G.close = function () { h.quit(); };
  G.resizeTo = G.moveTo = G.focus = G.blur = function () {};
  G.XMLHttpRequest = function XMLHttpRequest() { return http("XMLHttpRequest"); };
  G.fetch = function fetch(u, opts) {
    var r = h.http("fetch", str((opts && opts.method) || "GET").toUpperCase(), str(u), (opts && opts.headers) || {});
    var resp = { ok: r.status >= 200 && r.status < 300, status: r.status, text: function () { return Promise.resolve(r.body); }, json: function () { return Promise.resolve({}); } };
    return Promise.resolve(resp);
  };
  G.Blob = function Blob(parts) { this.parts = parts || []; this.size = 0; };
  G.URL = { createObjectURL: function () { return "blob:null/athena"; }, revokeObjectURL: function () {} };

  // runTimers fires queued timers after the main script, fast-forwarding their delays.
  return function runTimers(max) {
    var n = 0;
    for (var i = 0; i < timers.length && n < max; i++) {
      var t = timers[i];
      if (!t.fn) continue;
      h.sleep(t.ms);
      n++;
      try { t.fn.apply(G, t.args); } catch (e) { h.exception(str(e && e.stack || e)); }
    }
    return n;
  };
})
