// Test design for the tellme-sim crate. It follows the TeLLMe-RS top-level convention:
// one clock `clk`, synchronous active-high `rst`, an AXI4-Lite slave (`s_axil_`), AXI4 masters
// (`m_rd_`: 128-bit, read-only; `m_wr_`: 64-bit, writable), `irq`, `dbg_state`, `dbg_progress`.
//
// Job: read COUNT 128-bit words starting at SRC (INCR bursts of at most BURST_LEN beats, never
// crossing 4 KB, up to 4 bursts outstanding), sum the four 32-bit lanes of every word into a
// 64-bit SUM and XOR the two 64-bit halves into XOR, then write one 4-beat burst at DST:
// {SUM, XOR, COUNT, 64'hC0FFEE00_7E115173}. `irq` is high in DONE or ERROR.
//
// Register map (byte addresses):
//   0x00 CTRL      W: bit0 start (when idle/done/error), bit1 hang (R channel never accepted)
//   0x04 STATUS    R: bit0 busy, bit1 done, bit2 error
//   0x08 SRC_LO    0x0C SRC_HI (bits 39:32)
//   0x10 COUNT     words to read
//   0x14 DST_LO    0x18 DST_HI
//   0x1C BURST_LEN beats per burst, 1..256 (default 16)
//   0x20 SUM_LO    0x24 SUM_HI
//   0x28 T_AR      cycle of the job's first AR handshake
//   0x2C T_R0      cycle of the job's first R handshake
//   0x30 T_RN      cycle of the job's last R handshake
//   0x34 SCRATCH   plain read/write register
//   0x38 ID        constant 0x7E115173
//   0x3C CYCLE     free-running cycle counter
//   0x40 SIM       W: bit0 executes $finish, bit1 executes $stop (simulation-only, for tests)
// Any other address answers SLVERR.
`timescale 1ns/1ps
module sim_test_top #(
    parameter A = 16
) (
    input  wire         clk,
    input  wire         rst,
    // AXI4-Lite slave
    input  wire [A-1:0] s_axil_awaddr,
    input  wire         s_axil_awvalid,
    output wire         s_axil_awready,
    input  wire [31:0]  s_axil_wdata,
    input  wire [3:0]   s_axil_wstrb,
    input  wire         s_axil_wvalid,
    output wire         s_axil_wready,
    output reg  [1:0]   s_axil_bresp,
    output reg          s_axil_bvalid,
    input  wire         s_axil_bready,
    input  wire [A-1:0] s_axil_araddr,
    input  wire         s_axil_arvalid,
    output wire         s_axil_arready,
    output reg  [31:0]  s_axil_rdata,
    output reg  [1:0]   s_axil_rresp,
    output reg          s_axil_rvalid,
    input  wire         s_axil_rready,
    // m_rd_: 128-bit read-only master
    output reg  [39:0]  m_rd_araddr,
    output reg  [7:0]   m_rd_arlen,
    output wire [2:0]   m_rd_arsize,
    output wire [1:0]   m_rd_arburst,
    output reg          m_rd_arvalid,
    input  wire         m_rd_arready,
    input  wire [127:0] m_rd_rdata,
    input  wire [1:0]   m_rd_rresp,
    input  wire         m_rd_rlast,
    input  wire         m_rd_rvalid,
    output wire         m_rd_rready,
    // m_wr_: 64-bit writable master (its read channels are tied off)
    output wire [39:0]  m_wr_araddr,
    output wire [7:0]   m_wr_arlen,
    output wire [2:0]   m_wr_arsize,
    output wire [1:0]   m_wr_arburst,
    output wire         m_wr_arvalid,
    input  wire         m_wr_arready,
    input  wire [63:0]  m_wr_rdata,
    input  wire [1:0]   m_wr_rresp,
    input  wire         m_wr_rlast,
    input  wire         m_wr_rvalid,
    output wire         m_wr_rready,
    output reg  [39:0]  m_wr_awaddr,
    output wire [7:0]   m_wr_awlen,
    output wire [2:0]   m_wr_awsize,
    output wire [1:0]   m_wr_awburst,
    output reg          m_wr_awvalid,
    input  wire         m_wr_awready,
    output reg  [63:0]  m_wr_wdata,
    output wire [7:0]   m_wr_wstrb,
    output wire         m_wr_wlast,
    output reg          m_wr_wvalid,
    input  wire         m_wr_wready,
    input  wire [1:0]   m_wr_bresp,
    input  wire         m_wr_bvalid,
    output wire         m_wr_bready,
    // status
    output wire         irq,
    output wire [7:0]   dbg_state,
    output wire [31:0]  dbg_progress
);
    localparam [2:0] S_IDLE = 3'd0, S_READ = 3'd1, S_WRITE = 3'd2, S_WAIT_B = 3'd3,
                     S_DONE = 3'd4, S_ERROR = 3'd5;

    reg [2:0]  state;
    reg        hang;
    reg [39:0] src, dst;
    reg [31:0] count;
    reg [8:0]  burst_len;
    reg [31:0] scratch;
    reg [63:0] sum, xr;
    reg [31:0] cyc, t_ar, t_r0, t_rn;
    reg        seen_ar, seen_r;
    reg        err;
    reg [31:0] progress;

    // ---------------------------------------------------------------- AXI4-Lite slave
    reg         aw_got, w_got;
    reg [A-1:0] aw_addr_q;
    reg [31:0]  w_data_q;
    assign s_axil_awready = !aw_got && !s_axil_bvalid;
    assign s_axil_wready  = !w_got && !s_axil_bvalid;
    assign s_axil_arready = !s_axil_rvalid;
    wire aw_fire = s_axil_awvalid && s_axil_awready;
    wire w_fire  = s_axil_wvalid && s_axil_wready;
    wire ar_fire = s_axil_arvalid && s_axil_arready;
    wire do_write = aw_got && w_got;
    wire idle_like = (state == S_IDLE) || (state == S_DONE) || (state == S_ERROR);
    wire start = do_write && (aw_addr_q == 0) && w_data_q[0] && idle_like;

    function automatic [32:0] rd_reg(input [7:0] a);  // {error, data}
        case (a)
            8'h04: rd_reg = {1'b0, 29'd0, err, (state == S_DONE) | (state == S_ERROR), !idle_like};
            8'h08: rd_reg = {1'b0, src[31:0]};
            8'h0C: rd_reg = {1'b0, 24'd0, src[39:32]};
            8'h10: rd_reg = {1'b0, count};
            8'h14: rd_reg = {1'b0, dst[31:0]};
            8'h18: rd_reg = {1'b0, 24'd0, dst[39:32]};
            8'h1C: rd_reg = {1'b0, 23'd0, burst_len};
            8'h20: rd_reg = {1'b0, sum[31:0]};
            8'h24: rd_reg = {1'b0, sum[63:32]};
            8'h28: rd_reg = {1'b0, t_ar};
            8'h2C: rd_reg = {1'b0, t_r0};
            8'h30: rd_reg = {1'b0, t_rn};
            8'h34: rd_reg = {1'b0, scratch};
            8'h38: rd_reg = {1'b0, 32'h7E115173};
            8'h3C: rd_reg = {1'b0, cyc};
            default: rd_reg = {1'b1, 32'd0};
        endcase
    endfunction

    wire wr_hi_ok = (aw_addr_q[A-1:8] == 0);
    wire rd_hi_ok = (s_axil_araddr[A-1:8] == 0);
    wire wr_ok = wr_hi_ok && ((aw_addr_q[7:0] == 8'h00) || (aw_addr_q[7:0] == 8'h08) ||
                 (aw_addr_q[7:0] == 8'h0C) || (aw_addr_q[7:0] == 8'h10) ||
                 (aw_addr_q[7:0] == 8'h14) || (aw_addr_q[7:0] == 8'h18) ||
                 (aw_addr_q[7:0] == 8'h1C) || (aw_addr_q[7:0] == 8'h34) ||
                 (aw_addr_q[7:0] == 8'h40));
    wire [32:0] rd_val = rd_reg(s_axil_araddr[7:0]);

    always @(posedge clk) begin
        if (rst) begin
            aw_got <= 1'b0;
            w_got <= 1'b0;
            s_axil_bvalid <= 1'b0;
            s_axil_bresp <= 2'd0;
            s_axil_rvalid <= 1'b0;
            s_axil_rresp <= 2'd0;
            s_axil_rdata <= 32'd0;
            hang <= 1'b0;
            src <= 40'd0;
            dst <= 40'd0;
            count <= 32'd0;
            burst_len <= 9'd16;
            scratch <= 32'd0;
        end else begin
            if (aw_fire) begin
                aw_got <= 1'b1;
                aw_addr_q <= s_axil_awaddr;
            end
            if (w_fire) begin
                w_got <= 1'b1;
                w_data_q <= s_axil_wdata;
            end
            if (do_write) begin
                aw_got <= 1'b0;
                w_got <= 1'b0;
                s_axil_bvalid <= 1'b1;
                s_axil_bresp <= wr_ok ? 2'd0 : 2'd2;
                if (wr_hi_ok) case (aw_addr_q[7:0])
                    8'h00: hang <= w_data_q[1];
                    8'h08: src[31:0] <= w_data_q;
                    8'h0C: src[39:32] <= w_data_q[7:0];
                    8'h10: count <= w_data_q;
                    8'h14: dst[31:0] <= w_data_q;
                    8'h18: dst[39:32] <= w_data_q[7:0];
                    8'h1C: burst_len <= (w_data_q[8:0] == 9'd0) ? 9'd1 :
                                        (w_data_q[8:0] > 9'd256) ? 9'd256 : w_data_q[8:0];
                    8'h34: scratch <= w_data_q;
                    8'h40: begin
                        if (w_data_q[0]) $finish;
                        if (w_data_q[1]) $stop;
                    end
                    default: ;
                endcase
            end
            if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
            if (ar_fire) begin
                s_axil_rvalid <= 1'b1;
                s_axil_rdata <= rd_val[31:0];
                s_axil_rresp <= (rd_val[32] || !rd_hi_ok) ? 2'd2 : 2'd0;
            end else if (s_axil_rvalid && s_axil_rready) begin
                s_axil_rvalid <= 1'b0;
            end
        end
    end

    // ---------------------------------------------------------------- read engine (m_rd_)
    reg [31:0] req_left;     // words not yet requested
    reg [31:0] rcv_left;     // words not yet received
    reg [39:0] req_addr;
    reg [3:0]  outstanding;  // bursts accepted and not finished
    // Beats left before the next 4 KB boundary (addresses are 16-byte aligned): 1..256.
    wire [8:0]  beats_to_boundary = 9'd256 - {1'b0, req_addr[11:4]};
    wire [31:0] cap1 = (req_left < {23'd0, burst_len}) ? req_left : {23'd0, burst_len};
    wire [31:0] beats = (cap1 < {23'd0, beats_to_boundary}) ? cap1 : {23'd0, beats_to_boundary};
    wire rd_ar_fire = m_rd_arvalid && m_rd_arready;
    wire rd_r_fire = m_rd_rvalid && m_rd_rready;
    assign m_rd_arsize = 3'd4;   // 16 bytes
    assign m_rd_arburst = 2'd1;  // INCR
    assign m_rd_rready = (state == S_READ) && !hang;
    wire [63:0] lane_sum = {32'd0, m_rd_rdata[31:0]} + {32'd0, m_rd_rdata[63:32]} +
                           {32'd0, m_rd_rdata[95:64]} + {32'd0, m_rd_rdata[127:96]};

    // ---------------------------------------------------------------- write engine (m_wr_)
    reg [1:0] wbeat;
    assign m_wr_araddr = 40'd0;
    assign m_wr_arlen = 8'd0;
    assign m_wr_arsize = 3'd3;
    assign m_wr_arburst = 2'd1;
    assign m_wr_arvalid = 1'b0;
    assign m_wr_rready = 1'b1;
    assign m_wr_awlen = 8'd3;
    assign m_wr_awsize = 3'd3;   // 8 bytes
    assign m_wr_awburst = 2'd1;
    assign m_wr_wstrb = 8'hFF;
    assign m_wr_wlast = (wbeat == 2'd3);
    assign m_wr_bready = (state == S_WAIT_B);
    always @(*) begin
        case (wbeat)
            2'd0: m_wr_wdata = sum;
            2'd1: m_wr_wdata = xr;
            2'd2: m_wr_wdata = {32'd0, count};
            default: m_wr_wdata = 64'hC0FFEE00_7E115173;
        endcase
    end

    // ---------------------------------------------------------------- controller
    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE;
            cyc <= 32'd0;
            progress <= 32'd0;
            m_rd_arvalid <= 1'b0;
            m_rd_araddr <= 40'd0;
            m_rd_arlen <= 8'd0;
            m_wr_awvalid <= 1'b0;
            m_wr_awaddr <= 40'd0;
            m_wr_wvalid <= 1'b0;
            wbeat <= 2'd0;
            outstanding <= 4'd0;
            req_left <= 32'd0;
            rcv_left <= 32'd0;
            req_addr <= 40'd0;
            sum <= 64'd0;
            xr <= 64'd0;
            err <= 1'b0;
            seen_ar <= 1'b0;
            seen_r <= 1'b0;
            t_ar <= 32'd0;
            t_r0 <= 32'd0;
            t_rn <= 32'd0;
        end else begin
            cyc <= cyc + 32'd1;
            outstanding <= outstanding + {3'd0, rd_ar_fire} - {3'd0, rd_r_fire && m_rd_rlast};
            case (state)
                S_IDLE, S_DONE, S_ERROR: begin
                    if (start) begin
                        sum <= 64'd0;
                        xr <= 64'd0;
                        err <= 1'b0;
                        seen_ar <= 1'b0;
                        seen_r <= 1'b0;
                        req_left <= count;
                        rcv_left <= count;
                        req_addr <= src;
                        wbeat <= 2'd0;
                        state <= (count == 32'd0) ? S_WRITE : S_READ;
                        if (count == 32'd0) begin
                            m_wr_awvalid <= 1'b1;
                            m_wr_awaddr <= dst;
                            m_wr_wvalid <= 1'b1;
                        end
                    end
                end
                S_READ: begin
                    if (rd_ar_fire) begin
                        m_rd_arvalid <= 1'b0;
                        if (!seen_ar) begin
                            seen_ar <= 1'b1;
                            t_ar <= cyc;
                        end
                    end
                    if (!m_rd_arvalid && req_left != 32'd0 && outstanding < 4'd4) begin
                        m_rd_arvalid <= 1'b1;
                        m_rd_araddr <= req_addr;
                        m_rd_arlen <= beats[7:0] - 8'd1;
                        req_addr <= req_addr + {4'd0, beats, 4'd0};
                        req_left <= req_left - beats;
                    end
                    if (rd_r_fire) begin
                        progress <= progress + 32'd1;
                        sum <= sum + lane_sum;
                        xr <= xr ^ m_rd_rdata[63:0] ^ m_rd_rdata[127:64];
                        if (m_rd_rresp != 2'd0) err <= 1'b1;
                        if (!seen_r) begin
                            seen_r <= 1'b1;
                            t_r0 <= cyc;
                        end
                        t_rn <= cyc;
                        rcv_left <= rcv_left - 32'd1;
                        if (rcv_left == 32'd1) begin
                            state <= S_WRITE;
                            m_wr_awvalid <= 1'b1;
                            m_wr_awaddr <= dst;
                            m_wr_wvalid <= 1'b1;
                        end
                    end
                end
                S_WRITE: begin
                    if (m_wr_awvalid && m_wr_awready) m_wr_awvalid <= 1'b0;
                    if (m_wr_wvalid && m_wr_wready) begin
                        progress <= progress + 32'd1;
                        wbeat <= wbeat + 2'd1;
                        if (m_wr_wlast) begin
                            m_wr_wvalid <= 1'b0;
                            state <= S_WAIT_B;
                        end
                    end
                end
                S_WAIT_B: begin
                    if (m_wr_awvalid && m_wr_awready) m_wr_awvalid <= 1'b0;
                    if (m_wr_bvalid) begin
                        state <= (err || m_wr_bresp != 2'd0) ? S_ERROR : S_DONE;
                        if (m_wr_bresp != 2'd0) err <= 1'b1;
                    end
                end
                default: state <= S_IDLE;
            endcase
        end
    end

    assign irq = (state == S_DONE) || (state == S_ERROR);
    assign dbg_state = {5'd0, state};
    assign dbg_progress = progress;

    // Inputs this design does not use (kept so every port follows the convention).
    wire _unused = &{1'b0, s_axil_wstrb, m_wr_arready, m_wr_rdata, m_wr_rresp, m_wr_rlast,
                     m_wr_rvalid, 1'b0};
endmodule
