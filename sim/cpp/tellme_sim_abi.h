// tellme-sim C ABI. Included once, at the end of the generated shim, after `TellmeTop` (the
// Verilated class) and `tellme_bind()` are defined. Every function catches C++ exceptions:
// none crosses the FFI boundary. Functions returning int32_t return a tellme::Status.
#pragma once

#include <cstdio>
#include <new>

#define TELLME_API extern "C" __attribute__((visibility("default")))

// Bump when any signature or struct below changes (checked by sim/src/sim.rs).
#define TELLME_SIM_ABI_VERSION 1

using TellmeHarness = tellme::Harness<TellmeTop>;

// ---------------------------------------------------------------------- Verilator hooks
// Compiled with -DVL_USER_FATAL -DVL_USER_STOP -DVL_USER_FINISH so that a design's $stop or
// $fatal, or a Verilator runtime error, becomes an error returned to Rust instead of abort().
void vl_fatal(const char* filename, int linenum, const char* hier, const char* msg) {
    (void)hier;
    Verilated::threadContextp()->gotError(true);
    Verilated::threadContextp()->gotFinish(true);
    std::string where = filename && filename[0]
                            ? std::string(filename) + ":" + std::to_string(linenum) + ": "
                            : std::string();
    throw tellme::Fatal(where + (msg ? msg : "fatal error"));
}

void vl_stop(const char* filename, int linenum, const char* hier) {
    vl_fatal(filename, linenum, hier, "Verilog $stop");
}

void vl_finish(const char* filename, int linenum, const char* hier) {
    (void)filename;
    (void)linenum;
    (void)hier;
    Verilated::threadContextp()->gotFinish(true);
}

// ---------------------------------------------------------------------- helpers
static void tellme_copy_str(const std::string& s, char* buf, size_t len) {
    if (!buf || len == 0) return;
    const size_t n = std::min(s.size(), len - 1);
    std::memcpy(buf, s.data(), n);
    buf[n] = 0;
}

template <class F>
static int32_t tellme_guard(void* h, F&& f) {
    TellmeHarness* s = static_cast<TellmeHarness*>(h);
    if (s->dead) return tellme::DEAD;
    // Several models may live in one process, each driven from its own thread: tell
    // Verilator which context this thread is working on (for $finish/$stop/$fatal).
    Verilated::threadContextp(s->ctx.get());
    try {
        return f(*s);
    } catch (const tellme::Fatal& e) {
        s->dead = true;
        s->last_error = e.what();
        return tellme::FATAL;
    } catch (const std::bad_alloc&) {
        s->last_error = "out of memory";
        return tellme::BAD_ARG;
    } catch (const std::length_error& e) {
        s->last_error = e.what();
        return tellme::BAD_ARG;
    } catch (const std::exception& e) {
        s->dead = true;
        s->last_error = e.what();
        return tellme::FATAL;
    } catch (...) {
        s->dead = true;
        s->last_error = "unknown C++ exception";
        return tellme::FATAL;
    }
}

// ---------------------------------------------------------------------- ABI
TELLME_API uint32_t tellme_sim_abi_version(void) { return TELLME_SIM_ABI_VERSION; }

TELLME_API uint32_t tellme_sim_trace_kind(void) {
#if VM_TRACE_FST
    return 2;
#elif VM_TRACE
    return 1;
#else
    return 0;
#endif
}

// Creates a model. `trace_path` may be null (no waveform). On failure returns null and writes
// a message into `err`.
TELLME_API void* tellme_sim_new(const char* trace_path, char* err, size_t err_len) {
    TellmeHarness* s = nullptr;
    try {
        s = new TellmeHarness();
        s->ctx.reset(new VerilatedContext);
        s->ctx->fatalOnError(false);
#if TELLME_TRACE
        if (trace_path) s->ctx->traceEverOn(true);
#endif
        s->top = new TellmeTop{s->ctx.get(), "TOP"};
        tellme_bind(*s);
#if TELLME_TRACE
        if (trace_path) {
            s->tfp = new TellmeTraceFile;
            s->top->trace(s->tfp, 99);
            s->tfp->open(trace_path);
            if (!s->tfp->isOpen()) throw std::runtime_error(std::string("cannot open trace file ") + trace_path);
        }
#else
        if (trace_path) throw std::runtime_error("this model was built without tracing");
#endif
        s->init();
        return s;
    } catch (const std::exception& e) {
        tellme_copy_str(e.what(), err, err_len);
    } catch (...) {
        tellme_copy_str("unknown C++ exception", err, err_len);
    }
    if (s) {
        try {
            s->dead = true;
            delete s;
        } catch (...) {
        }
    }
    return nullptr;
}

TELLME_API void tellme_sim_free(void* h) {
    if (!h) return;
    try {
        TellmeHarness* s = static_cast<TellmeHarness*>(h);
        Verilated::threadContextp(s->ctx.get());
        delete s;
    } catch (...) {
    }
}

TELLME_API uint32_t tellme_sim_master_count(void* h) {
    return static_cast<uint32_t>(static_cast<TellmeHarness*>(h)->m.size());
}

TELLME_API size_t tellme_sim_last_error(void* h, char* buf, size_t len) {
    const std::string& e = static_cast<TellmeHarness*>(h)->last_error;
    tellme_copy_str(e, buf, len);
    return e.size();
}

TELLME_API size_t tellme_sim_describe(void* h, char* buf, size_t len) {
    std::string d;
    try {
        d = static_cast<TellmeHarness*>(h)->describe();
    } catch (...) {
        d = "(no description)";
    }
    tellme_copy_str(d, buf, len);
    return d.size();
}

TELLME_API int32_t tellme_sim_reset(void* h, uint64_t cycles) {
    return tellme_guard(h, [&](TellmeHarness& s) {
        s.reset(cycles);
        return int32_t(tellme::OK);
    });
}

TELLME_API int32_t tellme_sim_reg_write(void* h, uint32_t addr, uint32_t data, uint64_t timeout,
                                        uint32_t* resp) {
    return tellme_guard(
        h, [&](TellmeHarness& s) { return s.axil(true, addr, data, timeout, nullptr, resp); });
}

TELLME_API int32_t tellme_sim_reg_read(void* h, uint32_t addr, uint64_t timeout, uint32_t* data,
                                       uint32_t* resp) {
    return tellme_guard(
        h, [&](TellmeHarness& s) { return s.axil(false, addr, 0, timeout, data, resp); });
}

TELLME_API int32_t tellme_sim_mem_write(void* h, uint64_t addr, const uint8_t* src, uint64_t len) {
    return tellme_guard(h, [&](TellmeHarness& s) {
        if (addr > tellme::kMemLimit || len > tellme::kMemLimit - addr)
            throw std::length_error("mem_write beyond the 40-bit address space");
        s.grow(addr + len);
        if (len) std::memcpy(s.mem.data() + addr, src, len);
        return int32_t(tellme::OK);
    });
}

TELLME_API int32_t tellme_sim_mem_read(void* h, uint64_t addr, uint8_t* dst, uint64_t len) {
    return tellme_guard(h, [&](TellmeHarness& s) {
        if (!s.in_mem(addr, len)) {
            char msg[160];
            std::snprintf(msg, sizeof msg,
                          "mem_read of %llu bytes at 0x%llx is outside the memory (%llu bytes)",
                          (unsigned long long)len, (unsigned long long)addr,
                          (unsigned long long)s.mem.size());
            s.last_error = msg;
            return int32_t(tellme::BAD_ARG);
        }
        if (len) std::memcpy(dst, s.mem.data() + addr, len);
        return int32_t(tellme::OK);
    });
}

// Sets the memory size exactly (grows zero-filled or shrinks).
TELLME_API int32_t tellme_sim_mem_resize(void* h, uint64_t bytes) {
    return tellme_guard(h, [&](TellmeHarness& s) {
        if (bytes > tellme::kMemLimit)
            throw std::length_error("memory larger than the 40-bit address space");
        s.mem.resize(bytes);
        s.mem.shrink_to_fit();
        return int32_t(tellme::OK);
    });
}

TELLME_API uint64_t tellme_sim_mem_size(void* h) {
    return static_cast<TellmeHarness*>(h)->mem.size();
}

TELLME_API void tellme_sim_set_ddr(void* h, double bytes_per_cycle, uint64_t latency,
                                   uint32_t max_outstanding) {
    static_cast<TellmeHarness*>(h)->set_ddr(bytes_per_cycle, latency, max_outstanding);
}

TELLME_API int32_t tellme_sim_run(void* h, uint64_t max_cycles, uint64_t watchdog,
                                  tellme::RunResult* out) {
    return tellme_guard(h, [&](TellmeHarness& s) { return s.run(max_cycles, watchdog, out); });
}

TELLME_API int32_t tellme_sim_step(void* h, uint64_t cycles) {
    return tellme_guard(h, [&](TellmeHarness& s) {
        s.step(cycles);
        return int32_t(s.ctx->gotFinish() ? tellme::FINISHED : tellme::OK);
    });
}

// Free-running clock, no testbench logic. Writes the elapsed seconds into `seconds`.
TELLME_API int32_t tellme_sim_freerun(void* h, uint64_t cycles, double* seconds) {
    return tellme_guard(h, [&](TellmeHarness& s) {
        *seconds = s.freerun(cycles);
        return int32_t(tellme::OK);
    });
}

TELLME_API uint64_t tellme_sim_cycles(void* h) { return static_cast<TellmeHarness*>(h)->cycle; }

// irq, dbg_state, dbg_progress as they are now.
TELLME_API void tellme_sim_peek(void* h, uint32_t* irq, uint32_t* state, uint32_t* progress) {
    TellmeHarness* s = static_cast<TellmeHarness*>(h);
    *irq = *s->irq;
    *state = *s->dbg_state;
    *progress = *s->dbg_progress;
}

// Copies the global stats and up to `n` masters' stats (in spec order).
TELLME_API void tellme_sim_stats(void* h, tellme::GlobalStats* global, tellme::MasterStats* masters,
                                 uint32_t n) {
    TellmeHarness* s = static_cast<TellmeHarness*>(h);
    if (global) *global = s->gs;
    for (uint32_t i = 0; masters && i < n && i < s->m.size(); i++) masters[i] = s->m[i].st;
}

TELLME_API void tellme_sim_reset_stats(void* h) {
    TellmeHarness* s = static_cast<TellmeHarness*>(h);
    s->gs = tellme::GlobalStats{};
    for (auto& mm : s->m) {
        mm.st = tellme::MasterStats{};
        mm.first_read_seen = false;
    }
}

TELLME_API void tellme_sim_flush_trace(void* h) {
#if TELLME_TRACE
    TellmeHarness* s = static_cast<TellmeHarness*>(h);
    if (s->tfp) s->tfp->flush();
#else
    (void)h;
#endif
}
