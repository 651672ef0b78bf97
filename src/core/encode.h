/* core/encode.h - hex, base64 (RFC 4648 section 4, padded) and base64url
 * (section 5, unpadded), written here rather than borrowed from OpenSSL so
 * that the decoders are strict: one spelling per byte string, nothing
 * skipped. Used for keys (crypto/vault), tokens (crypto/random), hashes and
 * anything else that turns bytes into text. Sizes come from the macros below,
 * so callers can use stack buffers. */
#ifndef INLET_CORE_ENCODE_H
#define INLET_CORE_ENCODE_H
#include <stddef.h>

#include "core/err.h"

/* Characters that n bytes encode to, not counting the NUL the formatters add.
 * n is a size the caller has already capped (these do not check overflow). */
#define ENCODE_HEX_LEN(n)    (2 * (n))
#define ENCODE_B64_LEN(n)    (((n) + 2) / 3 * 4)
#define ENCODE_B64URL_LEN(n) ((n) / 3 * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))

/* The most bytes that n characters can decode to: the room a parser's dst
 * needs. The same bound serves padded base64 and unpadded base64url. */
#define ENCODE_HEX_DECODED_MAX(n) ((n) / 2)
#define ENCODE_B64_DECODED_MAX(n) ((n) / 4 * 3 + (n) % 4 * 3 / 4)

/* The value 0..15 of the hex digit c (either case), or -1 when c is not
 * one. c is a character as an unsigned char value (or EOF, which is -1). */
int encode_hex_digit(int c);

/* Write n bytes of src as text into dst, which has room for the matching
 * ENCODE_*_LEN(n) characters plus a NUL, and NUL-terminate it. Returns the
 * number of characters written, without the NUL. Hex is lower-case. */
size_t encode_hex_format(char *dst, const void *src, size_t n);
size_t encode_b64_format(char *dst, const void *src, size_t n);
size_t encode_b64url_format(char *dst, const void *src, size_t n);

/* Decode the n characters at src into dst, which has room for the matching
 * ENCODE_*_DECODED_MAX(n) bytes, and set *len (OUT) to the bytes written.
 * The whole of src must be valid: no white space, no missing or extra
 * padding (base64 is padded to a multiple of 4; base64url takes no '='), and
 * the unused low bits of the last character must be zero, so each byte
 * string has exactly one accepted spelling. Hex accepts both cases.
 *
 * ERR_INVALID otherwise, with a message that starts "<what>: " when what is
 * not NULL and names the byte offset or length at fault. The message never
 * quotes the input, which is often a key; on failure dst is wiped. */
MUST_CHECK int encode_hex_parse(void *dst, size_t *len, const char *src, size_t n, const char *what,
                                struct err *err);
MUST_CHECK int encode_b64_parse(void *dst, size_t *len, const char *src, size_t n, const char *what,
                                struct err *err);
MUST_CHECK int encode_b64url_parse(void *dst, size_t *len, const char *src, size_t n,
                                   const char *what, struct err *err);

#endif
