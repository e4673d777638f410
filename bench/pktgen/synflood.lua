-- Replay synflood.pcap (4096 SYNs from 198.19.0.0/16 to 198.18.0.2:80) at a
-- set rate for a bounded time, print the port counters, quit.
-- The pcap is loaded by pktgen's command line, not by this script:
--   pktgen <EAL args> -- -P -m "[2:3].0" -s 0:bench/pktgen/synflood.pcap -f bench/pktgen/synflood.lua
-- Environment: PKTGEN_RATE (percent of line rate, default 10),
--              PKTGEN_SECONDS (default 10), PKTGEN_PORT (default "0").
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;"
require "Pktgen"

local port    = os.getenv("PKTGEN_PORT") or "0"
local rate    = tonumber(os.getenv("PKTGEN_RATE") or "10")
local seconds = tonumber(os.getenv("PKTGEN_SECONDS") or "10")

local function counters(p)
    -- pktgen >= 24 nests the ethdev counters under "curr"; older ones are flat.
    local st = pktgen.portStats(p)[tonumber(p)]
    local c = (st and st.curr) or st or {}
    return c.opackets or 0, c.ipackets or 0, c.imissed or 0, c.oerrors or 0
end

pktgen.screen("off")
pktgen.clr()
pktgen.set(port, "rate", rate)
pktgen.set(port, "count", 0)         -- 0: keep cycling the pcap until stopped
pktgen.pcap(port, "on")              -- send the -s pcap instead of the single packet

printf("synflood.pcap on port %s at %d%% for %d s\n", port, rate, seconds)
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
