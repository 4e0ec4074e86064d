/* Builds its strings on the stack, one immediate store at a time, so they are not in .rdata. */
#include <windows.h>
int main(void) {
    volatile char dll[13];
    volatile char fn[12];
    dll[0] = 'k'; dll[1] = 'e'; dll[2] = 'r'; dll[3] = 'n'; dll[4] = 'e'; dll[5] = 'l';
    dll[6] = '3'; dll[7] = '2'; dll[8] = '.'; dll[9] = 'd'; dll[10] = 'l'; dll[11] = 'l'; dll[12] = 0;
    fn[0] = 'W'; fn[1] = 'i'; fn[2] = 'n'; fn[3] = 'E'; fn[4] = 'x'; fn[5] = 'e'; fn[6] = 'c'; fn[7] = 0;
    HMODULE m = LoadLibraryA((const char *)dll);
    return m && GetProcAddress(m, (const char *)fn) ? 0 : 1;
}
