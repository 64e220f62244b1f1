#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| cvgate_fuzz::soap_request(input));
