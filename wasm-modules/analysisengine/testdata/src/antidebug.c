/* Debugger checks: API, PEB BeingDebugged through the segment register, int 2d, rdtsc timing. */
#include <windows.h>
#include <stdio.h>
#include <intrin.h>
static int peb_being_debugged(void) {
#ifdef _WIN64
    unsigned char *peb = (unsigned char *)__readgsqword(0x60);
#else
    unsigned char *peb = (unsigned char *)__readfsdword(0x30);
#endif
    return peb[2];
}
int main(void) {
    unsigned long long t0 = __rdtsc();
    if (IsDebuggerPresent() || peb_being_debugged()) return 1;
    __asm__ volatile("int $0x2d; nop");
    if (__rdtsc() - t0 > 1000000ULL) return 2;
    puts("clean");
    return 0;
}
