-- wrk script: a different user on every request (known and unknown ids), k varied on a quarter.
local users = tonumber(os.getenv("BENCH_USERS") or "1100")
local seed = 0

setup = function(thread)
  seed = seed + 1
  thread:set("seed", seed)
end

init = function(args)
  math.randomseed(seed * 7919)
end

request = function()
  local path = "/recommend/" .. math.random(0, users)
  if math.random() < 0.25 then
    path = path .. "?k=" .. math.random(1, 100)
  end
  return wrk.format("GET", path)
end
