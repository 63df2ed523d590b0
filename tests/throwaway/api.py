from ninja import Router

router = Router(tags=["throwaway"])


@router.get("/throwaway/ping")
def ping(request) -> dict[str, str]:
    return {"pong": request.user.username}
