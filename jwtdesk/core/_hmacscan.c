/* jwtdesk.core._hmacscan: the inner loop of the weak-secret audit (jwtdesk.core.audit).
 *
 * scan(chunk, start, msg, targets, bits, max_len) walks the newline-separated candidates of
 * `chunk` from byte `start` and computes HMAC-SHA-<bits>(candidate, msg) for each (RFC 2104,
 * by hand over OpenSSL's SHA-2 functions: two compressions of the padded key, the message, the
 * outer block), comparing it with every digest of `targets` (concatenated, bits/8 bytes each).
 * It returns at the first match, or at the end of the chunk, with
 *   (next, lines, tried, empty, overlong, binary, crlf, target, match_start, match_len)
 * `next` is where a further call resumes; `target` is -1 when nothing matched.
 *
 * Lines are cleaned like the Python path: one trailing CR is dropped (counted in `crlf`); an
 * empty line, a line longer than `max_len` and a line holding a control byte other than TAB
 * (binary data) are counted and skipped. The GIL is released during the loop.
 */
#define PY_SSIZE_T_CLEAN
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <Python.h>
#include <openssl/sha.h>
#include <string.h>

typedef struct {
    Py_ssize_t next, lines, tried, empty, overlong, binary, crlf, target, mstart, mlen;
} scan_state;

static void hmac256(const unsigned char *key, size_t klen, const unsigned char *msg, size_t mlen,
                    unsigned char *out) {
    unsigned char k[SHA256_CBLOCK], pad[SHA256_CBLOCK], inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX c;
    memset(k, 0, sizeof k);
    if (klen > SHA256_CBLOCK) {
        SHA256(key, klen, k);
    } else {
        memcpy(k, key, klen);
    }
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = k[i] ^ 0x36;
    SHA256_Init(&c);
    SHA256_Update(&c, pad, SHA256_CBLOCK);
    SHA256_Update(&c, msg, mlen);
    SHA256_Final(inner, &c);
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = k[i] ^ 0x5c;
    SHA256_Init(&c);
    SHA256_Update(&c, pad, SHA256_CBLOCK);
    SHA256_Update(&c, inner, SHA256_DIGEST_LENGTH);
    SHA256_Final(out, &c);
}

/* SHA-384 and SHA-512 share the 128-byte block and SHA512_CTX; only Init and the length differ. */
static void hmac512(const unsigned char *key, size_t klen, const unsigned char *msg, size_t mlen,
                    unsigned char *out, int bits) {
    unsigned char k[SHA512_CBLOCK], pad[SHA512_CBLOCK], inner[SHA512_DIGEST_LENGTH];
    size_t dlen = bits == 384 ? SHA384_DIGEST_LENGTH : SHA512_DIGEST_LENGTH;
    SHA512_CTX c;
    memset(k, 0, sizeof k);
    if (klen > SHA512_CBLOCK) {
        if (bits == 384) SHA384(key, klen, k); else SHA512(key, klen, k);
    } else {
        memcpy(k, key, klen);
    }
    for (int i = 0; i < SHA512_CBLOCK; i++) pad[i] = k[i] ^ 0x36;
    if (bits == 384) SHA384_Init(&c); else SHA512_Init(&c);
    SHA512_Update(&c, pad, SHA512_CBLOCK);
    SHA512_Update(&c, msg, mlen);
    if (bits == 384) SHA384_Final(inner, &c); else SHA512_Final(inner, &c);
    for (int i = 0; i < SHA512_CBLOCK; i++) pad[i] = k[i] ^ 0x5c;
    if (bits == 384) SHA384_Init(&c); else SHA512_Init(&c);
    SHA512_Update(&c, pad, SHA512_CBLOCK);
    SHA512_Update(&c, inner, dlen);
    if (bits == 384) SHA384_Final(out, &c); else SHA512_Final(out, &c);
}

static int has_control(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) return 1;
    }
    return 0;
}

static void scan_loop(const unsigned char *buf, Py_ssize_t size, const unsigned char *msg,
                      size_t mlen, const unsigned char *targets, Py_ssize_t ntargets, int bits,
                      size_t max_len, scan_state *st) {
    size_t dlen = (size_t)bits / 8;
    unsigned char digest[SHA512_DIGEST_LENGTH];
    Py_ssize_t pos = st->next;
    while (pos < size) {
        const unsigned char *line = buf + pos;
        const unsigned char *nl = memchr(line, '\n', (size_t)(size - pos));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(size - pos);
        Py_ssize_t start = pos;
        pos += (Py_ssize_t)len + (nl ? 1 : 0);
        st->lines++;
        if (len && line[len - 1] == '\r') {
            len--;
            st->crlf++;
        }
        if (len == 0) { st->empty++; continue; }
        if (len > max_len) { st->overlong++; continue; }
        if (has_control(line, len)) { st->binary++; continue; }
        st->tried++;
        if (bits == 256) hmac256(line, len, msg, mlen, digest);
        else hmac512(line, len, msg, mlen, digest, bits);
        for (Py_ssize_t t = 0; t < ntargets; t++) {
            if (memcmp(digest, targets + (size_t)t * dlen, dlen) == 0) {
                st->target = t;
                st->mstart = start;
                st->mlen = (Py_ssize_t)len;
                st->next = pos;
                return;
            }
        }
    }
    st->next = pos;
}

static PyObject *scan(PyObject *self, PyObject *args) {
    Py_buffer chunk, msg, targets;
    Py_ssize_t start, max_len;
    int bits;
    if (!PyArg_ParseTuple(args, "y*ny*y*in", &chunk, &start, &msg, &targets, &bits, &max_len))
        return NULL;
    scan_state st = {0};
    st.target = -1;
    st.mstart = -1;
    st.next = start;
    PyObject *result = NULL;
    size_t dlen = (size_t)bits / 8;
    if ((bits != 256 && bits != 384 && bits != 512) || targets.len % (Py_ssize_t)dlen != 0 ||
        start < 0 || start > chunk.len || max_len < 1) {
        PyErr_SetString(PyExc_ValueError, "scan: bad arguments");
    } else {
        Py_BEGIN_ALLOW_THREADS
        scan_loop(chunk.buf, chunk.len, msg.buf, (size_t)msg.len, targets.buf,
                  targets.len / (Py_ssize_t)dlen, bits, (size_t)max_len, &st);
        Py_END_ALLOW_THREADS
        result = Py_BuildValue("(nnnnnnnnnn)", st.next, st.lines, st.tried, st.empty,
                               st.overlong, st.binary, st.crlf, st.target, st.mstart, st.mlen);
    }
    PyBuffer_Release(&chunk);
    PyBuffer_Release(&msg);
    PyBuffer_Release(&targets);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, "HMAC every candidate line of a chunk; stop at a match."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_hmacscan", "The weak-secret audit's C inner loop.", -1, methods,
};

PyMODINIT_FUNC PyInit__hmacscan(void) { return PyModule_Create(&module); }
