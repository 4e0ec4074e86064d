import "math"
import "hash"
import "pe"
import "elf"
rule m_entropy_high { condition: math.entropy(0, filesize) > 7.9 }
rule m_entropy_low { condition: filesize > 0 and math.entropy(0, filesize) < 1.0 }
rule m_entropy_str { condition: math.entropy("aaaa") == 0.0 }
rule m_mean { condition: math.mean(0, filesize) > 127 and math.mean(0, filesize) < 128.5 }
rule m_mean_nul { condition: filesize > 0 and math.mean(0, filesize) == 0.0 }
rule m_deviation { condition: math.deviation(0, filesize, math.MEAN_BYTES) > 60 }
rule m_serial { condition: filesize > 100 and math.serial_correlation(0, filesize) < 0.05 and math.serial_correlation(0, filesize) > -0.05 }
rule m_mc { condition: filesize > 1000 and math.monte_carlo_pi(0, filesize) < 0.05 }
rule m_in_range { condition: math.in_range(math.entropy(0, filesize), 4.0, 6.0) }
rule m_md5 { condition: hash.md5(0, filesize) == "d41d8cd98f00b204e9800998ecf8427e" }
rule m_md5_eicar { condition: hash.md5(0, filesize) == "44d88612fea8a8f36de82e1278abb02f" }
rule m_sha1 { condition: hash.sha1(0, filesize) == "3395856ce81f2b7382dee72602f798b642f14140" }
rule m_sha256 { condition: hash.sha256(0, filesize) == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f" }
rule m_md5_str { condition: hash.md5("abc") == "900150983cd24fb0d6963f7d28e17f72" }
rule m_crc32 { condition: hash.crc32("abc") == 0x352441c2 }
rule m_md5_range { condition: hash.md5(0, 2) == "ac6fb2ec4ab9c9e7f3c1e8d6e5f6d4b0" or hash.md5(0, 2) == hash.md5("MZ") }
rule m_pe { condition: pe.is_pe }
rule m_pe_machine32 { condition: pe.machine == pe.MACHINE_I386 }
rule m_pe_machine64 { condition: pe.machine == pe.MACHINE_AMD64 }
rule m_pe_sections { condition: pe.number_of_sections > 3 }
rule m_pe_text { condition: pe.sections[0].name == ".text" }
rule m_pe_ep { condition: pe.entry_point > 0 and pe.entry_point < filesize }
rule m_pe_import { condition: pe.imports("kernel32.dll", "ExitProcess") }
rule m_pe_import_case { condition: pe.imports("KERNEL32.dll", "exitprocess") }
rule m_pe_import_count { condition: pe.imports("msvcrt.dll") > 5 }
rule m_pe_dll { condition: pe.is_pe and not pe.is_dll() }
rule m_pe_64 { condition: pe.is_64bit() }
rule m_pe_32 { condition: pe.is_32bit() }
rule m_pe_exec { condition: pe.characteristics & pe.EXECUTABLE_IMAGE }
rule m_pe_ts { condition: pe.timestamp > 0 }
rule m_pe_for_sections { condition: for any i in (0..pe.number_of_sections - 1) : ( pe.sections[i].name == ".data" ) }
rule m_pe_section_iter { condition: for any s in pe.sections : ( s.name == ".bss" ) }
rule m_pe_raw { condition: for all i in (0..pe.number_of_sections - 1) : ( pe.sections[i].raw_data_offset <= filesize ) }
rule m_elf { condition: elf.type == elf.ET_EXEC }
rule m_elf_rel { condition: elf.type == elf.ET_REL }
rule m_elf_x64 { condition: elf.machine == elf.EM_X86_64 }
rule m_elf_386 { condition: elf.machine == elf.EM_386 }
rule m_elf_sections { condition: elf.number_of_sections > 10 }
rule m_elf_text { condition: for any i in (0..elf.number_of_sections - 1) : ( elf.sections[i].name == ".text" ) }
rule m_elf_ep { condition: elf.entry_point > 0 }
rule m_elf_ep_bytes { condition: elf.type == elf.ET_EXEC and uint8(elf.entry_point) == 0x31 }
rule m_not_pe { condition: not pe.is_pe and filesize > 0 and filesize < 100 }
