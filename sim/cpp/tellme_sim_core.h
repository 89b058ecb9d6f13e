// tellme-sim harness core: clocking, the AXI4-Lite driver and the DDR/AXI4 memory model.
//
// Compiled into every Verilated model's shared library together with a small generated shim
// (`shim.cpp`) that binds the ports of one top module and then includes `tellme_sim_abi.h`.
// Everything that happens per cycle happens here, on the C++ side of the FFI boundary.
//
// Cycle protocol (one `tick()` = one clock cycle):
//   1. with clk low and the design settled, sample every handshake (valid && ready) of the
//      cycle that is ending and update the memory model's and the AXI4-Lite driver's state;
//   2. raise clk and evaluate (the design's registers take the values sampled in step 1);
//   3. drive the testbench's outputs for the next cycle (they depend on testbench state
//      only, never combinationally on the design's outputs);
//   4. lower clk and evaluate, so the design's combinational outputs settle again.
// Trace time: the rising edge that ends cycle k is at 10k, the following falling edge at
// 10k + 5.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#define TELLME_TRACE 1
typedef VerilatedFstC TellmeTraceFile;
#elif VM_TRACE
#include "verilated_vcd_c.h"
#define TELLME_TRACE 1
typedef VerilatedVcdC TellmeTraceFile;
#else
#define TELLME_TRACE 0
#endif

namespace tellme {

// A fatal condition raised from inside the model ($stop, $fatal, a Verilator runtime error).
struct Fatal : std::runtime_error {
    explicit Fatal(const std::string& m) : std::runtime_error(m) {}
};

// The storage of a multi-bit port: little-endian bytes (x86-64 and AArch64 are little-endian;
// Verilator keeps wide ports as 32-bit words, least significant first).
struct Bits {
    void* p = nullptr;
    uint32_t n = 0;
};
inline Bits bits(CData& x) { return {&x, 1}; }
inline Bits bits(SData& x) { return {&x, 2}; }
inline Bits bits(IData& x) { return {&x, 4}; }
inline Bits bits(QData& x) { return {&x, 8}; }
template <std::size_t N>
inline Bits bits(VlWide<N>& x) {
    return {x.data(), static_cast<uint32_t>(4 * N)};
}

inline uint64_t get(const Bits& b) {
    switch (b.n) {
    case 1: return *static_cast<const uint8_t*>(b.p);
    case 2: return *static_cast<const uint16_t*>(b.p);
    case 4: return *static_cast<const uint32_t*>(b.p);
    default: {
        uint64_t v = 0;
        std::memcpy(&v, b.p, 8);
        return v;
    }
    }
}

inline void put(const Bits& b, uint64_t v) {
    switch (b.n) {
    case 1: *static_cast<uint8_t*>(b.p) = static_cast<uint8_t>(v); break;
    case 2: *static_cast<uint16_t*>(b.p) = static_cast<uint16_t>(v); break;
    case 4: *static_cast<uint32_t*>(b.p) = static_cast<uint32_t>(v); break;
    default:
        std::memset(b.p, 0, b.n);
        std::memcpy(b.p, &v, 8);
        break;
    }
}

// Pointers to one AXI4 master's ports (filled by the generated shim).
struct MasterPorts {
    const char* name = "";    // prefix, e.g. "m_w0_"
    uint32_t data_bytes = 8;  // D / 8
    bool writable = false;
    // read address / data
    QData* araddr = nullptr;
    CData *arlen = nullptr, *arsize = nullptr, *arburst = nullptr;
    CData *arvalid = nullptr, *arready = nullptr;
    void* rdata = nullptr;
    CData *rresp = nullptr, *rlast = nullptr, *rvalid = nullptr, *rready = nullptr;
    // write address / data / response (null when read-only)
    QData* awaddr = nullptr;
    CData *awlen = nullptr, *awsize = nullptr, *awburst = nullptr;
    CData *awvalid = nullptr, *awready = nullptr;
    void* wdata = nullptr;
    Bits wstrb;
    CData *wlast = nullptr, *wvalid = nullptr, *wready = nullptr;
    CData *bresp = nullptr, *bvalid = nullptr, *bready = nullptr;
};

// Must match `MasterStatsRaw` in sim/src/sim.rs.
struct MasterStats {
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
    uint64_t read_beats = 0;
    uint64_t write_beats = 0;
    uint64_t read_bursts = 0;
    uint64_t write_bursts = 0;
    uint64_t read_errors = 0;      // bursts answered SLVERR (outside the memory)
    uint64_t write_errors = 0;
    uint64_t protocol_errors = 0;  // 4 KB crossing, non-INCR burst, beat wider than the bus, WLAST
    uint64_t read_bw_stalls = 0;   // cycles a read beat was due but the bandwidth budget was spent
    uint64_t write_bw_stalls = 0;  // same for write beats
    uint64_t first_read_latency = 0;  // AR handshake to first R handshake of the first burst
};

// Must match `GlobalStatsRaw` in sim/src/sim.rs.
struct GlobalStats {
    uint64_t cycles = 0;        // every clock cycle since the model was created
    uint64_t run_cycles = 0;    // cycles spent inside run()
    uint64_t reset_cycles = 0;  // cycles with rst high
    uint64_t axil_cycles = 0;   // cycles spent inside reg_read()/reg_write()
    uint64_t axil_reads = 0;
    uint64_t axil_writes = 0;
};

// Must match `RunResultRaw` in sim/src/sim.rs.
struct RunResult {
    uint64_t cycles = 0;         // cycles clocked by this call
    uint64_t end_cycle = 0;      // model cycle counter at return
    uint64_t last_activity = 0;  // cycle of the last observable change
    uint32_t state = 0;          // dbg_state at return
    uint32_t progress = 0;       // dbg_progress at return
    uint32_t irq = 0;
    uint32_t pad = 0;
};

enum Status : int32_t {
    OK = 0,
    TIMEOUT = 1,     // max cycles (run) or AXI4-Lite timeout
    WATCHDOG = 2,    // nothing observable changed for watchdog cycles
    FINISHED = 3,    // the design executed $finish
    FATAL = 4,       // exception / $stop / $fatal: see last_error; the model is unusable
    BAD_ARG = 5,     // out of range, allocation failure: see last_error
    DEAD = 6,        // a previous FATAL made the model unusable
};

struct Burst {
    uint64_t addr = 0;      // start address as given
    uint64_t ready_at = 0;  // cycle from which the first beat may be driven
    uint64_t accepted = 0;  // cycle of the address handshake
    uint32_t beats = 1;
    uint32_t done = 0;
    uint32_t size = 0;  // log2 bytes per beat
    bool err = false;
};

struct BResp {
    uint64_t ready_at = 0;
    uint8_t resp = 0;
};

struct Master {
    MasterPorts p;
    std::deque<Burst> rq;  // accepted read bursts, front is being delivered
    std::deque<Burst> wq;  // accepted write bursts waiting for their W beats
    std::deque<BResp> bq;  // write responses waiting for their latency
    bool rv = false;       // rvalid driven
    bool wr = false;       // wready driven (bandwidth already taken for that beat)
    bool bv = false;       // bvalid driven
    bool first_read_seen = false;
    MasterStats st;
};

constexpr uint64_t kMemLimit = uint64_t(1) << 40;  // the 40-bit address space

template <class Top>
struct Harness {
    std::unique_ptr<VerilatedContext> ctx;
    Top* top = nullptr;
#if TELLME_TRACE
    TellmeTraceFile* tfp = nullptr;
#endif
    bool dead = false;
    std::string last_error;

    // control / status ports
    CData *clk = nullptr, *rst = nullptr, *irq = nullptr, *dbg_state = nullptr;
    IData* dbg_progress = nullptr;
    // AXI4-Lite slave ports
    Bits l_awaddr, l_araddr;
    CData *l_awvalid = nullptr, *l_awready = nullptr, *l_wstrb = nullptr, *l_wvalid = nullptr,
          *l_wready = nullptr, *l_bresp = nullptr, *l_bvalid = nullptr, *l_bready = nullptr,
          *l_arvalid = nullptr, *l_arready = nullptr, *l_rresp = nullptr, *l_rvalid = nullptr,
          *l_rready = nullptr;
    IData *l_wdata = nullptr, *l_rdata = nullptr;

    std::vector<Master> m;
    std::vector<uint8_t> mem;

    // DDR parameters and bandwidth budget (a token bucket shared by all masters)
    bool unlimited = true;
    double bpc = 0.0;  // bytes per cycle, sustained
    double tokens = 0.0;
    double cap = 0.0;
    uint64_t latency = 1;  // cycles from an address handshake to the first data handshake
    uint32_t max_out = 16;
    size_t rr = 0;

    uint64_t cycle = 0;
    GlobalStats gs;

    // observation for the watchdog
    uint64_t last_activity = 0;
    uint8_t last_state = 0;
    uint32_t last_progress = 0;

    // AXI4-Lite driver
    enum { L_IDLE, L_WRITE, L_READ } l_mode = L_IDLE;
    bool l_a_done = false, l_w_done = false, l_done = false;
    uint32_t l_result = 0;
    uint8_t l_resp = 0;

    Harness() = default;
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    ~Harness() {
#if TELLME_TRACE
        if (tfp) {
            tfp->close();
            delete tfp;
            tfp = nullptr;
        }
#endif
        if (top) {
            if (!dead) {
                try {
                    top->final();
                } catch (...) {
                }
            }
            delete top;
            top = nullptr;
        }
    }

    void add_master(const MasterPorts& p) {
        Master mm;
        mm.p = p;
        m.push_back(mm);
    }

    uint32_t max_beat_bytes() const {
        uint32_t b = 8;
        for (const auto& mm : m) b = std::max(b, mm.p.data_bytes);
        return b;
    }

    void set_ddr(double bytes_per_cycle, uint64_t lat, uint32_t outstanding) {
        unlimited = !(bytes_per_cycle > 0.0) || !(bytes_per_cycle < 1e300);
        bpc = unlimited ? 0.0 : bytes_per_cycle;
        cap = unlimited ? 0.0 : double(max_beat_bytes()) + bpc;
        tokens = cap;
        latency = std::max<uint64_t>(1, lat);
        max_out = std::max<uint32_t>(1, outstanding);
    }

    // -------------------------------------------------------------------------- trace
    void dump(uint64_t t) {
#if TELLME_TRACE
        if (tfp) tfp->dump(t);
#else
        (void)t;
#endif
    }

    // -------------------------------------------------------------------------- memory
    bool in_mem(uint64_t addr, uint64_t len) const {
        return addr <= mem.size() && len <= mem.size() - addr;
    }

    // Grows the memory to at least `end` bytes (zero-filled).
    void grow(uint64_t end) {
        if (end > kMemLimit) throw std::length_error("address beyond the 40-bit address space");
        if (end > mem.size()) {
            if (end > mem.capacity()) mem.reserve(std::max<uint64_t>(end, mem.capacity() * 2));
            mem.resize(end);
        }
    }

    // -------------------------------------------------------------------------- bursts
    Burst make_burst(Master& mm, uint64_t addr, uint32_t len, uint32_t size, uint32_t burst,
                     uint64_t now) {
        Burst b;
        b.addr = addr;
        b.beats = len + 1;
        b.size = size;
        b.accepted = now;
        b.ready_at = now + latency - 1;
        const uint64_t bytes = uint64_t(1) << size;
        const uint64_t aligned = addr & ~(bytes - 1);
        const uint64_t end = aligned + bytes * b.beats;
        if (burst != 1 || bytes > mm.p.data_bytes || (aligned >> 12) != ((end - 1) >> 12))
            mm.st.protocol_errors++;
        b.err = !in_mem(aligned, end - aligned);
        return b;
    }

    static uint64_t beat_addr(const Burst& b) {
        const uint64_t bytes = uint64_t(1) << b.size;
        if (b.done == 0) return b.addr;
        return (b.addr & ~(bytes - 1)) + uint64_t(b.done) * bytes;
    }

    // Fill a read beat: the whole bus from the bus-aligned address (bytes outside the memory
    // read as zero).
    void read_beat(Master& mm, const Burst& b) {
        const uint32_t db = mm.p.data_bytes;
        uint8_t* dst = static_cast<uint8_t*>(mm.p.rdata);
        if (b.err) {
            std::memset(dst, 0, db);
            return;
        }
        const uint64_t base = beat_addr(b) & ~uint64_t(db - 1);
        if (in_mem(base, db)) {
            std::memcpy(dst, mem.data() + base, db);
        } else {
            for (uint32_t i = 0; i < db; i++) dst[i] = base + i < mem.size() ? mem[base + i] : 0;
        }
    }

    void write_beat(Master& mm, const Burst& b) {
        if (b.err) return;
        const uint32_t db = mm.p.data_bytes;
        const uint8_t* src = static_cast<const uint8_t*>(mm.p.wdata);
        const uint8_t* strb = static_cast<const uint8_t*>(mm.p.wstrb.p);
        const uint64_t base = beat_addr(b) & ~uint64_t(db - 1);
        const bool all = std::all_of(strb, strb + db / 8, [](uint8_t s) { return s == 0xff; });
        if (all && in_mem(base, db)) {
            std::memcpy(mem.data() + base, src, db);
            return;
        }
        for (uint32_t i = 0; i < db; i++) {
            if (((strb[i / 8] >> (i % 8)) & 1) && base + i < mem.size()) mem[base + i] = src[i];
        }
    }

    // -------------------------------------------------------------------------- one cycle
    // Returns true when a handshake happened on any channel.
    inline bool sample(uint64_t now) {
        bool act = false;
        for (auto& mm : m) {
            const MasterPorts& p = mm.p;
            if (*p.arvalid && *p.arready) {
                act = true;
                mm.rq.push_back(make_burst(mm, *p.araddr, *p.arlen, *p.arsize, *p.arburst, now));
                mm.st.read_bursts++;
            }
            if (*p.rvalid && *p.rready) {
                act = true;
                mm.rv = false;
                Burst& b = mm.rq.front();
                const uint64_t bytes = uint64_t(1) << b.size;
                if (!mm.first_read_seen && b.done == 0) {
                    mm.first_read_seen = true;
                    mm.st.first_read_latency = now - b.accepted;
                }
                mm.st.read_beats++;
                mm.st.bytes_read += bytes;
                if (++b.done == b.beats) {
                    if (b.err) mm.st.read_errors++;
                    mm.rq.pop_front();
                }
            }
            if (!p.writable) continue;
            if (*p.awvalid && *p.awready) {
                act = true;
                mm.wq.push_back(make_burst(mm, *p.awaddr, *p.awlen, *p.awsize, *p.awburst, now));
                mm.st.write_bursts++;
            }
            if (*p.wvalid && *p.wready) {
                act = true;
                mm.wr = false;
                Burst& b = mm.wq.front();
                write_beat(mm, b);
                mm.st.write_beats++;
                mm.st.bytes_written += uint64_t(1) << b.size;
                const bool last = ++b.done == b.beats;
                if (last != bool(*p.wlast)) mm.st.protocol_errors++;
                if (last) {
                    if (b.err) mm.st.write_errors++;
                    mm.bq.push_back(BResp{now + latency - 1, uint8_t(b.err ? 2 : 0)});
                    mm.wq.pop_front();
                }
            }
            if (*p.bvalid && *p.bready) {
                act = true;
                mm.bv = false;
                mm.bq.pop_front();
            }
        }
        if (l_mode != L_IDLE) {
            if (*l_awvalid && *l_awready) l_a_done = act = true;
            if (*l_arvalid && *l_arready) l_a_done = act = true;
            if (*l_wvalid && *l_wready) l_w_done = act = true;
            if (*l_bvalid && *l_bready) {
                act = l_done = true;
                l_resp = *l_bresp;
            }
            if (*l_rvalid && *l_rready) {
                act = l_done = true;
                l_resp = *l_rresp;
                l_result = *l_rdata;
            }
        }
        return act;
    }

    inline void drive() {
        if (!unlimited) {
            tokens += bpc;
            if (tokens > cap) tokens = cap;
        }
        const size_t n = m.size();
        for (size_t k = 0; k < n; k++) {
            Master& mm = m[(rr + k) % n];
            const MasterPorts& p = mm.p;
            if (!mm.rv && !mm.rq.empty() && mm.rq.front().ready_at <= cycle) {
                const Burst& b = mm.rq.front();
                const double bytes = double(uint64_t(1) << b.size);
                if (unlimited || tokens >= bytes) {
                    if (!unlimited) tokens -= bytes;
                    read_beat(mm, b);
                    *p.rresp = b.err ? 2 : 0;
                    *p.rlast = b.done + 1 == b.beats;
                    mm.rv = true;
                } else {
                    mm.st.read_bw_stalls++;
                }
            }
            *p.rvalid = mm.rv;
            *p.arready = mm.rq.size() < max_out;
            if (!p.writable) continue;
            if (!mm.wr && !mm.wq.empty()) {
                const double bytes = double(uint64_t(1) << mm.wq.front().size);
                if (unlimited || tokens >= bytes) {
                    if (!unlimited) tokens -= bytes;
                    mm.wr = true;
                } else {
                    mm.st.write_bw_stalls++;
                }
            }
            *p.wready = mm.wr;
            *p.awready = mm.wq.size() < max_out;
            if (!mm.bv && !mm.bq.empty() && mm.bq.front().ready_at <= cycle) {
                mm.bv = true;
                *p.bresp = mm.bq.front().resp;
            }
            *p.bvalid = mm.bv;
        }
        if (n) rr = (rr + 1) % n;
        if (l_mode != L_IDLE) {
            if (l_mode == L_WRITE) {
                *l_awvalid = !l_a_done;
                *l_wvalid = !l_w_done;
                *l_bready = !l_done;
            } else {
                *l_arvalid = !l_a_done;
                *l_rready = !l_done;
            }
            if (l_done) {
                *l_awvalid = *l_wvalid = *l_bready = *l_arvalid = *l_rready = 0;
            }
        }
    }

    inline void tick() {
        const uint64_t now = cycle + 1;
        const bool act = sample(now);
        *clk = 1;
        top->eval();
        cycle = now;
        gs.cycles++;
        dump(10 * cycle);
        drive();
        *clk = 0;
        top->eval();
        dump(10 * cycle + 5);
        const uint8_t st = *dbg_state;
        const uint32_t pr = *dbg_progress;
        if (act || st != last_state || pr != last_progress) {
            last_activity = cycle;
            last_state = st;
            last_progress = pr;
        }
    }

    // -------------------------------------------------------------------------- operations
    void init() {
        *clk = 0;
        *rst = 0;
        clear_bus();
        top->eval();
        dump(0);
        last_state = *dbg_state;
        last_progress = *dbg_progress;
    }

    // Drop all in-flight memory traffic and drive every testbench output low.
    void clear_bus() {
        for (auto& mm : m) {
            mm.rq.clear();
            mm.wq.clear();
            mm.bq.clear();
            mm.rv = mm.wr = mm.bv = false;
            const MasterPorts& p = mm.p;
            *p.arready = 0;
            *p.rvalid = 0;
            *p.rlast = 0;
            *p.rresp = 0;
            std::memset(p.rdata, 0, p.data_bytes);
            if (p.writable) {
                *p.awready = 0;
                *p.wready = 0;
                *p.bvalid = 0;
                *p.bresp = 0;
            }
        }
        tokens = cap;
        l_mode = L_IDLE;
        put(l_awaddr, 0);
        put(l_araddr, 0);
        *l_awvalid = *l_wvalid = *l_bready = *l_arvalid = *l_rready = 0;
        *l_wdata = 0;
        *l_wstrb = 0;
    }

    void reset(uint64_t cycles) {
        clear_bus();
        *rst = 1;
        top->eval();
        // No handshakes are sampled while rst is high: the design's outputs are not
        // meaningful before its registers are reset.
        for (uint64_t i = 0; i < std::max<uint64_t>(1, cycles); i++) {
            *clk = 1;
            top->eval();
            cycle++;
            gs.cycles++;
            gs.reset_cycles++;
            dump(10 * cycle);
            *clk = 0;
            top->eval();
            dump(10 * cycle + 5);
        }
        *rst = 0;
        clear_bus();
        top->eval();
        last_activity = cycle;
        last_state = *dbg_state;
        last_progress = *dbg_progress;
    }

    // One AXI4-Lite transaction; the memory model keeps running meanwhile.
    int32_t axil(bool write, uint32_t addr, uint32_t data, uint64_t timeout, uint32_t* out,
                 uint32_t* resp) {
        l_mode = write ? L_WRITE : L_READ;
        l_a_done = l_w_done = l_done = false;
        l_resp = 0;
        l_result = 0;
        if (write) {
            put(l_awaddr, addr);
            *l_wdata = data;
            *l_wstrb = 0xf;
            *l_awvalid = 1;
            *l_wvalid = 1;
            *l_bready = 1;
            gs.axil_writes++;
        } else {
            put(l_araddr, addr);
            *l_arvalid = 1;
            *l_rready = 1;
            gs.axil_reads++;
        }
        top->eval();
        const uint64_t start = cycle;
        while (!l_done) {
            if (cycle - start >= timeout) {
                l_mode = L_IDLE;
                *l_awvalid = *l_wvalid = *l_bready = *l_arvalid = *l_rready = 0;
                top->eval();
                gs.axil_cycles += cycle - start;
                return TIMEOUT;
            }
            tick();
            if (ctx->gotFinish()) break;
        }
        l_mode = L_IDLE;
        gs.axil_cycles += cycle - start;
        if (out) *out = l_result;
        if (resp) *resp = l_resp;
        return ctx->gotFinish() && !l_done ? FINISHED : OK;
    }

    int32_t run(uint64_t max_cycles, uint64_t watchdog, RunResult* r) {
        const uint64_t start = cycle;
        last_activity = cycle;
        int32_t status = OK;
        while (!*irq) {
            if (cycle - start >= max_cycles) {
                status = TIMEOUT;
                break;
            }
            tick();
            if (ctx->gotFinish()) {
                status = FINISHED;
                break;
            }
            if (watchdog && cycle - last_activity >= watchdog) {
                status = WATCHDOG;
                break;
            }
        }
        gs.run_cycles += cycle - start;
        if (r) {
            r->cycles = cycle - start;
            r->end_cycle = cycle;
            r->last_activity = last_activity;
            r->state = *dbg_state;
            r->progress = *dbg_progress;
            r->irq = *irq;
        }
        return status;
    }

    void step(uint64_t cycles) {
        for (uint64_t i = 0; i < cycles && !ctx->gotFinish(); i++) tick();
    }

    // Clock the model with no testbench logic at all (benchmark helper). Returns seconds.
    double freerun(uint64_t cycles) {
        const auto t0 = std::chrono::steady_clock::now();
        for (uint64_t i = 0; i < cycles; i++) {
            *clk = 1;
            top->eval();
            cycle++;
            dump(10 * cycle);
            *clk = 0;
            top->eval();
            dump(10 * cycle + 5);
        }
        gs.cycles += cycles;
        const auto t1 = std::chrono::steady_clock::now();
        return std::chrono::duration<double>(t1 - t0).count();
    }

    // What each bus is waiting for (for the watchdog's error line).
    std::string describe() const {
        std::string out;
        auto add = [&out](const std::string& s) {
            if (!out.empty()) out += "; ";
            out += s;
        };
        for (const auto& mm : m) {
            const MasterPorts& p = mm.p;
            std::string nm = p.name;
            if (!nm.empty() && nm.back() == '_') nm.pop_back();
            if (*p.arvalid && !*p.arready)
                add("waiting on " + nm + " AR channel (memory model holds " +
                    std::to_string(mm.rq.size()) + " read bursts)");
            if (mm.rv && !*p.rready)
                add(nm + " R beat offered but the design is not accepting it (rready low)");
            else if (!mm.rq.empty())
                add("waiting on " + nm + " R channel (" + std::to_string(mm.rq.size()) +
                    " read bursts outstanding)");
            if (!p.writable) continue;
            if (*p.awvalid && !*p.awready)
                add("waiting on " + nm + " AW channel (memory model holds " +
                    std::to_string(mm.wq.size()) + " write bursts)");
            if (*p.wvalid && !*p.wready && mm.wq.empty())
                add(nm + " W data offered before its AW address (the memory model waits for AW)");
            if (!mm.wq.empty() && !*p.wvalid) {
                const Burst& b = mm.wq.front();
                add(nm + " W channel: memory waiting for " + std::to_string(b.beats - b.done) +
                    " more write beats from the design");
            }
            if (mm.bv && !*p.bready)
                add(nm + " B response offered but the design is not accepting it (bready low)");
            else if (!mm.bq.empty())
                add("waiting on " + nm + " B channel");
        }
        if (out.empty()) out = "no AXI transaction pending (the design waits on nothing external)";
        return out;
    }
};

}  // namespace tellme
