-- SYN flood built by pktgen's range mode (no pcap): sources 198.19.0.1 ..
-- 198.19.255.254 stepping by one, source ports 1024 .. 65535, to
-- 198.18.0.2:80, 64-byte TCP SYN, at a set rate for a bounded time; prints
-- the port counters every second and quits.
--   pktgen <EAL args> -- -P -m "[2:3].0" -f bench/pktgen/syn_range.lua
-- Environment: TERN_MAC (tern's port MAC, required on a real link; default
--              is the placeholder 02:00:c6:12:00:02), PKTGEN_RATE (percent of
--              line rate, default 10), PKTGEN_SECONDS (default 10),
--              PKTGEN_PORT (default "0").
-- Unlike synflood.pcap these SYNs carry no TCP options (pktgen builds a
-- bare 20-byte TCP header), so tern's SYN-ACKs use its default MSS.
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;"
require "Pktgen"

local port    = os.getenv("PKTGEN_PORT") or "0"
local rate    = tonumber(os.getenv("PKTGEN_RATE") or "10")
local seconds = tonumber(os.getenv("PKTGEN_SECONDS") or "10")
local tern_mac = os.getenv("TERN_MAC") or "02:00:c6:12:00:02"

local function counters(p)
    -- pktgen >= 24 nests the ethdev counters under "curr"; older ones are flat.
    local st = pktgen.portStats(p)[tonumber(p)]
    local c = (st and st.curr) or st or {}
    return c.opackets or 0, c.ipackets or 0, c.imissed or 0, c.oerrors or 0
end

pktgen.screen("off")
pktgen.clr()

pktgen.range.dst_mac(port, "start", tern_mac)

pktgen.range.src_ip(port, "start", "198.19.0.1")
pktgen.range.src_ip(port, "inc", "0.0.0.1")
pktgen.range.src_ip(port, "min", "198.19.0.1")
pktgen.range.src_ip(port, "max", "198.19.255.254")

pktgen.range.dst_ip(port, "start", "198.18.0.2")
pktgen.range.dst_ip(port, "inc", "0.0.0.0")
pktgen.range.dst_ip(port, "min", "198.18.0.2")
pktgen.range.dst_ip(port, "max", "198.18.0.2")

pktgen.set_proto(port, "tcp")
pktgen.range.ip_proto(port, "tcp")

pktgen.range.src_port(port, "start", 1024)
pktgen.range.src_port(port, "inc", 1)
pktgen.range.src_port(port, "min", 1024)
pktgen.range.src_port(port, "max", 65535)

pktgen.range.dst_port(port, "start", 80)
pktgen.range.dst_port(port, "inc", 0)
pktgen.range.dst_port(port, "min", 80)
pktgen.range.dst_port(port, "max", 80)

pktgen.range.pkt_size(port, "start", 64)
pktgen.range.pkt_size(port, "inc", 0)
pktgen.range.pkt_size(port, "min", 64)
pktgen.range.pkt_size(port, "max", 64)

-- TCP flags: the Lua API sets them for the single packet
-- (pktgen.set_tcp_flags); range mode has only the CLI command
-- "range <port> tcp flags <list>", run here from a command file.
pktgen.set_tcp_flags(port, "syn")
local cmdfile = os.tmpname()
local f = assert(io.open(cmdfile, "w"))
f:write(string.format("range %s tcp flags syn\n", port))
f:close()
-- pktgen_run() in app/lpktgenlib.c insists on three arguments.
pktgen.run("cmd", cmdfile, "")
os.remove(cmdfile)

pktgen.set(port, "rate", rate)
pktgen.set_range(port, "on")

printf("range SYN flood on port %s at %d%% for %d s\n", port, rate, seconds)
pktgen.start(port)
for s = 1, seconds do
    pktgen.sleep(1)
    local tx, rx, missed, oerr = counters(port)
    printf("%3d s  tx %d  rx (SYN-ACKs) %d  imissed %d  oerrors %d\n", s, tx, rx, missed, oerr)
end
pktgen.stop(port)
pktgen.delay(500)                    -- let the last SYN-ACKs arrive

local tx, rx, missed, oerr = counters(port)
printf("total: tx %d SYNs, rx %d (SYN-ACKs), reply ratio %.4f, imissed %d, oerrors %d\n",
       tx, rx, tx > 0 and rx / tx or 0, missed, oerr)
pktgen.quit()
